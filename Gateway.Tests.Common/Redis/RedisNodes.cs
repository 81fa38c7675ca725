using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace Gateway.Tests.Common.Redis;

/// <summary>
/// The <c>redis-server</c> processes of one fixture (data nodes, cluster nodes, sentinels), each in its own
/// subdirectory of one temporary directory: started on free ports, resumed and killed together, and the directory
/// deleted with them. <see cref="RedisCluster"/> and <see cref="RedisSentinelGroup"/> are made of it, so that neither
/// copies the other's set-up.
/// </summary>
public sealed class RedisNodes : IAsyncDisposable, IPausable
{
    private readonly string _directory;
    private readonly List<RedisProcess> _processes = [];

    private RedisNodes(string directory)
    {
        _directory = directory;
    }

    /// <summary>Every process started, in start order.</summary>
    public IReadOnlyList<RedisProcess> Processes => _processes;

    /// <summary>A new empty group in a new temporary directory named after <paramref name="prefix"/>.</summary>
    public static RedisNodes Create(string prefix) => new(Directory.CreateTempSubdirectory(prefix).FullName);

    /// <summary>
    /// Builds a fixture with <paramref name="form"/> and returns it, or disposes it and rethrows when it did not form:
    /// a fixture half started leaves no process behind.
    /// </summary>
    public static async Task<T> FormOrDisposeAsync<T>(T fixture, Func<T, Task> form)
        where T : IAsyncDisposable
    {
        try
        {
            await form(fixture);
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }
    }

    /// <summary>A subdirectory of the group's directory, made if need be.</summary>
    public string Subdirectory(string name) => Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;

    /// <summary>
    /// Starts a data node without persistence (<see cref="RedisProcess.DataNodeArguments"/>) on a free port, working in
    /// its own subdirectory, with <paramref name="extraArguments"/> for its port after the common ones.
    /// </summary>
    public Task<RedisProcess> StartDataNodeAsync(Func<int, IEnumerable<string>> extraArguments) =>
        StartAsync(port => [.. RedisProcess.DataNodeArguments(port, Subdirectory(RedisTools.Invariant(port))), .. extraArguments(port)]);

    /// <summary>Starts a process with the arguments <paramref name="argumentsFor"/> gives for a free port, as one of the group.</summary>
    public async Task<RedisProcess> StartAsync(Func<int, IEnumerable<string>> argumentsFor)
    {
        var process = await RedisProcess.StartOnFreePortAsync(argumentsFor);
        _processes.Add(process);
        return process;
    }

    /// <summary>
    /// An admin connection to every port in <paramref name="ports"/>: to data nodes, or with <paramref name="sentinels"/>
    /// to sentinels (their command map, no tie-breaker). It fails fast rather than queue while a node is down.
    /// </summary>
    public static async Task<ConnectionMultiplexer> ConnectAdminAsync(IEnumerable<int> ports, bool sentinels = false)
    {
        var options = sentinels
            ? new ConfigurationOptions { AllowAdmin = true, AbortOnConnectFail = false, CommandMap = CommandMap.Sentinel, TieBreaker = "" }
            : new ConfigurationOptions { AllowAdmin = true, AbortOnConnectFail = false, BacklogPolicy = BacklogPolicy.FailFast };
        foreach (var port in ports)
        {
            options.EndPoints.Add("127.0.0.1", port);
        }

        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Null when <paramref name="server"/> is a master or a replica whose link to its master is up; else what it reports.</summary>
    public static async Task<string?> ReplicaNotInSyncAsync(IServer server)
    {
        var replication = await server.InfoRawAsync("replication") ?? "";
        var link = RedisTools.InfoField(replication, "master_link_status");
        return RedisTools.InfoField(replication, "role") == "slave" && link != "up" ? $"{server.EndPoint}: master_link_status {link}" : null;
    }

    /// <summary>
    /// One line on where writes go: each server's role, its EVALSHA count so far, and its key count in
    /// <paramref name="database"/>. A failover test prints it every half second.
    /// </summary>
    public static async Task<string> DescribeAsync(IEnumerable<IServer> servers, int database)
    {
        var parts = new List<string>();
        foreach (var server in servers)
        {
            var port = PortOf(server.EndPoint);
            try
            {
                var role = (await server.RoleAsync()).Value;
                var stats = await server.InfoRawAsync("commandstats") ?? "";
                var evalsha = RedisTools.InfoField(stats, "cmdstat_evalsha")?.Split(',')[0] ?? "calls=0";
                var keys = await server.DatabaseSizeAsync(database);
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{port} {role} evalsha {evalsha} keys={keys}"));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                parts.Add($"{port} {ex.GetType().Name}");
            }
        }

        return string.Join(" | ", parts);
    }

    /// <summary>The port of an endpoint a node or sentinel reported.</summary>
    public static int PortOf(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => ip.Port,
        DnsEndPoint dns => dns.Port,
        _ => throw new InvalidOperationException($"Unexpected endpoint {endPoint}."),
    };

    /// <inheritdoc/>
    public async Task ResumeIfPausedAsync()
    {
        foreach (var process in _processes)
        {
            await process.ResumeIfPausedAsync();
        }
    }

    /// <summary>Kills every process (a stopped one too) and deletes the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A node that was still writing its config as it died; the temp directory is cleaned up later.
        }
    }
}
