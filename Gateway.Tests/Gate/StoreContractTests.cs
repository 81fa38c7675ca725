using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Gate;

/// <summary>The send contract on a real redis-server.</summary>
public sealed class RedisStoreContractTests(RedisFixture redis) : SmsCodeGateContractTests(new RedisContractStore(redis)), IClassFixture<RedisFixture>;

/// <summary>The send contract on the in-process store.</summary>
public sealed class InProcessStoreContractTests() : SmsCodeGateContractTests(new InProcessContractStore());

/// <summary>The verify contract on a real redis-server.</summary>
public sealed class RedisStoreVerifyContractTests(RedisFixture redis) : SmsCodeVerifyContractTests(new RedisContractStore(redis)), IClassFixture<RedisFixture>;

/// <summary>The verify contract on the in-process store.</summary>
public sealed class InProcessStoreVerifyContractTests() : SmsCodeVerifyContractTests(new InProcessContractStore());

/// <summary>The verify guard's contract (no code, one attempt at a time, success as the app means it) on a real redis-server.</summary>
public sealed class RedisStoreVerifyGuardContractTests(RedisFixture redis) : SmsCodeVerifyGuardContractTests(new RedisContractStore(redis)), IClassFixture<RedisFixture>;

/// <summary>The verify guard's contract on the in-process store.</summary>
public sealed class InProcessStoreVerifyGuardContractTests() : SmsCodeVerifyGuardContractTests(new InProcessContractStore());
