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
