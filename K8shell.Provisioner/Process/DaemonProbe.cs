using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using K8shell.Contracts.Identity.V1;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.Provisioner.Process;

/// <summary>
/// Asks a local daemon whether it is ready (gRPC health: serving once its init scripts ran) and which
/// workspace it serves (the Handshake, with a short token Identity issues for the owner) — the proof
/// a pid file alone cannot give after a restart.
/// </summary>
internal sealed class DaemonProbe(IdentityService.IdentityServiceClient identity)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A channel for polling a daemon that may not listen yet. A refused connection puts a channel into its reconnect
    /// backoff (1 s at first), during which every call fails at once: the readiness of a daemon that starts listening
    /// a moment after the first poll would be seen up to a second late.
    /// </summary>
    public static GrpcChannel ChannelTo(int port) => GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions
    {
        InitialReconnectBackoff = PollInterval,
        MaxReconnectBackoff = PollInterval,
    });

    /// <summary>How often a starting daemon is asked whether it is ready; its channel backs off no longer.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>True when serving, false when up but not ready, null when nothing answers.</summary>
    public static async Task<bool?> IsServingAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(),
                deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException failure) when (failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return null;
        }
    }

    /// <summary>The workspace the daemon on <paramref name="port"/> says it serves for <paramref name="owner"/>, or null when it does not answer.</summary>
    public async Task<string?> HandshakeAsync(int port, string owner, CancellationToken cancellationToken)
    {
        var token = await identity.IssueUserTokenAsync(new IssueUserTokenRequest
        {
            Username = owner,
            Source = "provisioner",
            Audiences = { "k8shelld" },
            LifetimeSeconds = 60,
        }, cancellationToken: cancellationToken);
        using var channel = ChannelTo(port);
        try
        {
            var reply = await new SystemService.SystemServiceClient(channel).HandshakeAsync(
                new HandshakeRequest { ClientVersion = "K8shell.Provisioner", Username = owner },
                new Metadata { { "authorization", $"Bearer {token.UserToken}" } }, DateTime.UtcNow + CallTimeout, cancellationToken);
            return reply.Workspace;
        }
        catch (RpcException failure) when (failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return null;
        }
    }
}
