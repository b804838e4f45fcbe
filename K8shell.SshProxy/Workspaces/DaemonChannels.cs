using Grpc.Core;
using Grpc.Net.Client;
using K8shell.Contracts.Provisioner.V1;
using K8shell.SshProxy.Authentication;

namespace K8shell.SshProxy.Workspaces;

/// <summary>
/// gRPC channels to the workspaces' k8shelld, one per daemon address and user, shared by every connection of that
/// user to that workspace (HTTP/2 carries their channels as streams), closed when the last connection ends. Every
/// call carries the user's token (audience k8shelld), fetched per call so long sessions outlive a token.
/// </summary>
internal sealed class DaemonChannels(UserTokens tokens)
{
    private readonly Dictionary<(string Address, string User), Shared> _channels = [];
    private readonly Lock _gate = new();

    /// <summary>A channel to <paramref name="workspace"/>'s daemon for <paramref name="username"/>; dispose when the connection ends.</summary>
    public Lease Acquire(Workspace workspace, string username)
    {
        var address = new UriBuilder(workspace.TlsEnabled ? "https" : "http",
            workspace.ServerName is { Length: > 0 } host ? host : workspace.PodIp, (int)workspace.Port).Uri.ToString();
        lock (_gate)
        {
            if (!_channels.TryGetValue((address, username), out var shared))
            {
                shared = new Shared(Create(address, username));
                _channels[(address, username)] = shared;
            }
            shared.Users++;
            return new Lease(this, (address, username), shared.Channel);
        }
    }

    private GrpcChannel Create(string address, string username) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        Credentials = ChannelCredentials.Create(address.StartsWith("https", StringComparison.Ordinal) ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure,
            CallCredentials.FromInterceptor(async (context, metadata) =>
                metadata.Add("authorization", $"Bearer {await tokens.GetAsync(username, context.CancellationToken)}"))),
        // Loopback and the pod network are the hops this token is meant for (the daemon verifies it).
        UnsafeUseInsecureChannelCallCredentials = true,
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        },
        MaxReceiveMessageSize = 32 * 1024 * 1024,
    });

    private void Release((string Address, string User) key)
    {
        GrpcChannel? unused = null;
        lock (_gate)
        {
            if (_channels.TryGetValue(key, out var shared) && --shared.Users == 0)
            {
                _channels.Remove(key);
                unused = shared.Channel;
            }
        }
        unused?.Dispose();
    }

    private sealed class Shared(GrpcChannel channel)
    {
        public GrpcChannel Channel { get; } = channel;

        public int Users { get; set; }
    }

    /// <summary>One connection's use of a shared channel.</summary>
    public sealed class Lease(DaemonChannels owner, (string Address, string User) key, GrpcChannel channel) : IDisposable
    {
        private int _released;

        public CallInvoker Calls { get; } = channel.CreateCallInvoker();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(key);
            }
        }
    }
}
