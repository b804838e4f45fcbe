using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Grpc.Net.Client;
using K8shell.Contracts.Identity.V1;
using K8shell.Ssh;
using K8shell.Ssh.HostKeys;
using K8shell.SshProxy.Channels;
using K8shell.SshProxy.Connections;
using K8shell.Testing;
using K8shell.Testing.SshHost;
using K8shell.UserStrings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.SshProxy.Tests.Channels;

/// <summary>
/// The channel layer between real parts: K8shell.Ssh on a loopback port with <see cref="ChannelDispatcher"/>
/// behind it, a real k8shelld (workspace "ws-chan" owned by alice, a fresh home, trusting tokens signed
/// here) as every connection's workspace, and a policy and recorders the tests set and inspect. The
/// client is OpenSSH (<see cref="OpenSsh"/>).
/// </summary>
public sealed class ChannelHarness : IAsyncLifetime
{
    public const string Owner = "alice";

    private static int _connections;
    private readonly ECDsa _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly Ed25519HostKey _hostKey = Ed25519HostKey.Generate();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private ServiceProcess? _daemon;
    private GrpcChannel? _daemonChannel;
    private Task _accepting = Task.CompletedTask;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("k8shell-channels-").FullName;

    public string Home => Path.Combine(Directory, "home");

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string KeyFile => Path.Combine(Directory, "id_ed25519");

    internal FakeAuthorizer Policy { get; private set; } = new();

    internal FakeRecorders Recorders { get; private set; } = new();

    /// <summary>This harness's own meters (its instruments' <see cref="Meter.Scope"/>): tests listen to them, not to another class's harness.</summary>
    public IMeterFactory Meters => _metrics.GetRequiredService<IMeterFactory>();

    /// <summary>When set, every connection's workspace is unavailable with this message.</summary>
    public string? WorkspaceFailure { get; set; }

    /// <summary>Every connection served, newest last: its traffic and operations are what the session record gets.</summary>
    internal ConcurrentQueue<ProxyConnection> Connections { get; } = new();

    public async ValueTask InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Home);
        var publicKey = Path.Combine(Directory, "signing.pem");
        await File.WriteAllTextAsync(publicKey, _signingKey.ExportSubjectPublicKeyInfoPem());
        _daemon = await StartDaemonAsync(publicKey);
        _daemonChannel = GrpcChannels.WithBearer(_daemon.GrpcEndpoint!, Token());
        var (_, authorizedKey) = await SshKeys.GenerateAsync(KeyFile);
        _listener.Start();
        var config = TestHost.AcceptingOnly(_hostKey, authorizedKey);
        _accepting = AcceptAsync(config);
    }

    /// <summary>A fresh policy and recorders for the next test (the class's tests share the daemon).</summary>
    public void Reset()
    {
        Policy = new FakeAuthorizer();
        Recorders = new FakeRecorders();
        WorkspaceFailure = null;
    }

    private async Task<ServiceProcess> StartDaemonAsync(string publicKey)
    {
        var daemon = await ServiceProcess.StartAsync("K8shell.WorkspaceDaemon", "k8shelld", servesGrpc: true, new Dictionary<string, string?>
        {
            ["Workspace__Name"] = "ws-chan",
            ["Workspace__Owner"] = Owner,
            ["Workspace__User"] = Environment.UserName,
            ["Workspace__Home"] = Home,
            ["Workspace__Shell"] = "/bin/bash",
            ["Workspace__Splash"] = "Welcome to ws-chan",
            ["Auth__PublicKeyFile"] = publicKey,
            ["Auth__Issuer"] = "https://identity.test",
        });
        using var http = new HttpClient { BaseAddress = daemon.HttpEndpoint };
        var healthy = await Eventually.WaitAsync(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, TimeSpan.FromSeconds(30), CancellationToken.None);
        return healthy ? daemon : throw new TimeoutException($"k8shelld never became healthy:\n{daemon.Process.Output}");
    }

    /// <summary>alice's token as Identity would issue it for k8shelld.</summary>
    private string Token() => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "https://identity.test",
        Audience = "k8shelld",
        Claims = new Dictionary<string, object> { ["sub"] = Owner, ["sudo"] = false },
        Expires = DateTime.UtcNow.AddHours(2),
        SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_signingKey), SecurityAlgorithms.EcdsaSha256),
    });

    private async Task AcceptAsync(SshServerConfig config)
    {
        var telemetry = new ProxyTelemetry(Meters);
        var dispatcher = new ChannelDispatcher(Options.Create(new ChannelOptions()), telemetry, NullLogger<ChannelDispatcher>.Instance);
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stopping.Token);
                _ = ServeAsync(dispatcher, telemetry, config, socket);
            }
        }
        catch (OperationCanceledException)
        {
            // The harness is stopping.
        }
    }

    private async Task ServeAsync(ChannelDispatcher dispatcher, ProxyTelemetry telemetry, SshServerConfig config, Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            var ssh = await SshServer.HandshakeAsync(stream, config, _stopping.Token);
            var number = Interlocked.Increment(ref _connections);
            var sessionId = $"chtest-{Environment.ProcessId}-{(char)('a' + number / 26 % 26)}{(char)('a' + number % 26)}";
            var connection = new ProxyConnection
            {
                SessionId = sessionId,
                UserString = UserStringParser.Parse(Owner),
                User = new User { Username = Owner, IsValid = true },
                Client = (IPEndPoint)socket.RemoteEndPoint!,
                Server = (IPEndPoint)socket.LocalEndPoint!,
                Ssh = ssh,
                Workspace = new DaemonWorkspace(_daemonChannel!, sessionId, () => WorkspaceFailure),
                Authorizer = Policy,
                Recorders = Recorders,
                Traffic = new ConnectionTraffic(telemetry),
                // A connection span of its own, as ConnectionHandler's: the channels' spans must be its children.
                Trace = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded),
            };
            Connections.Enqueue(connection);
            await Task.WhenAll(ssh.RunAsync(_stopping.Token), dispatcher.ServeAsync(connection, _stopping.Token));
        }
        catch (Exception ended) when (ended is IOException or OperationCanceledException or SshProtocolException)
        {
            // The client went away.
        }
    }

    /// <summary>OpenSSH's ssh, scp and sftp against this harness.</summary>
    public OpenSsh OpenSsh => new(Port, KeyFile);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        _daemonChannel?.Dispose();
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }
        _signingKey.Dispose();
        _hostKey.Dispose();
        await _metrics.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
