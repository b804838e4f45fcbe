using System.Text.RegularExpressions;
using Grpc.Net.Client;
using K8shell.Contracts.Sessions.V1;
using K8shell.Testing;

namespace K8shell.Sessions.Tests;

/// <summary>
/// The real Sessions process on a <see cref="RecordsStore"/>, called as the SSH proxy calls it: with a static caller
/// token (<c>Sessions:Callers:StaticTokens:ssh-proxy</c>) over gRPC, and over HTTP for <c>/api/sessions</c>.
/// </summary>
public sealed partial class RecordsService : IAsyncDisposable
{
    /// <summary>The proxy's credential, fresh for the run.</summary>
    public static string CallerToken { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private readonly GrpcChannel _channel;
    private bool _disposed;

    private RecordsService(ServiceProcess process)
    {
        Process = process;
        _channel = GrpcChannels.WithBearer(process.GrpcEndpoint!, CallerToken);
        Sessions = new SessionService.SessionServiceClient(_channel);
        Http = Client(CallerToken);
    }

    public ServiceProcess Process { get; }

    public ChildProcess Child => Process.Process;

    internal SessionService.SessionServiceClient Sessions { get; }

    /// <summary>HTTP to the <c>http</c> endpoint, with the caller's bearer token.</summary>
    public HttpClient Http { get; }

    /// <summary>
    /// Starts Sessions on <paramref name="store"/>; <paramref name="settings"/> (configuration keys such as
    /// <c>Sessions:Janitor:Interval</c>) add or override.
    /// </summary>
    public static async Task<RecordsService> StartAsync(RecordsStore store, IReadOnlyDictionary<string, string?>? settings = null) =>
        new(await SessionsProcess.StartAsync(store.DataDirectory, CallerToken, Settings(store, settings), TestContext.Current.CancellationToken));

    /// <summary>The environment <see cref="StartAsync"/> gives Sessions, for tests that launch it expecting a refusal.</summary>
    public static Dictionary<string, string?> Environment(RecordsStore store, IReadOnlyDictionary<string, string?>? settings = null) =>
        SessionsProcess.Environment(store.DataDirectory, CallerToken, Settings(store, settings));

    /// <summary>A channel with another credential (null: none), for the refusals.</summary>
    public GrpcChannel ChannelWith(string? token) => GrpcChannels.WithBearer(Process.GrpcEndpoint!, token);

    /// <summary>An HTTP client with another credential (null: none).</summary>
    public HttpClient Client(string? token) => SessionsProcess.Http(Process, token);

    /// <summary>What the janitor logged it ended, summed over its log lines.</summary>
    public int EndedByJanitor => JanitorEnded().Matches(Child.Output).Sum(match => int.Parse(match.Groups[1].Value));

    /// <summary>Kills the process (SIGKILL, as a crash would); a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Http.Dispose();
        _channel.Dispose();
        await Process.DisposeAsync();
    }

    private static IEnumerable<KeyValuePair<string, string?>> Settings(RecordsStore store, IReadOnlyDictionary<string, string?>? settings) =>
        store.Settings.Concat(settings ?? new Dictionary<string, string?>());

    [GeneratedRegex(@"Session janitor ended (\d+) sessions")]
    private static partial Regex JanitorEnded();
}
