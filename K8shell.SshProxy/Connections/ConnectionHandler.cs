using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.ServiceDefaults.Nats;
using K8shell.Ssh;
using K8shell.Ssh.Connection;
using K8shell.Ssh.HostKeys;
using K8shell.Ssh.Transport;
using K8shell.SshProxy.Admission.Bans;
using K8shell.SshProxy.Admission.Failures;
using K8shell.SshProxy.Admission.Limits;
using K8shell.SshProxy.Admission.ProxyProtocol;
using K8shell.SshProxy.Authentication;
using K8shell.SshProxy.Authorization;
using K8shell.SshProxy.Channels;
using K8shell.SshProxy.Recording;
using K8shell.SshProxy.SessionRecords;
using K8shell.SshProxy.Workspaces;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Connections;

/// <summary>
/// One TCP connection from accept to close (DESIGN.md, "One SSH connection, end to end"): the PROXY header, the
/// ban list and the pre-auth limits before any SSH; the handshake with authentication through Identity; a
/// failed-login event when it fails; then the authenticated connection's channels, session record and recordings.
/// </summary>
internal sealed partial class ConnectionHandler(
    IOptions<SshProxyOptions> options,
    IReadOnlyList<HostKey> hostKeys,
    IdentityService.IdentityServiceClient identity,
    UserTokens userTokens,
    ConnectionWorkspaces workspaces,
    ProxyHeaderReader proxyHeaders,
    BanList bans,
    StartupLimiter limits,
    FailurePublisher failures,
    PolicyEngine policies,
    SessionReporting sessionReporting,
    ConnectionRecordings recordings,
    ChannelDispatcher channels,
    ProxyTelemetry telemetry,
    ILogger<ConnectionHandler> logger)
{
    /// <summary>Serves <paramref name="socket"/> until the client leaves or <paramref name="closeAll"/> (shutdown) asks it to.</summary>
    public async Task HandleAsync(Socket socket, CancellationToken closeAll)
    {
        var peer = (IPEndPoint)socket.RemoteEndPoint!;
        using var activity = ProxyTelemetry.Activities.StartActivity("ssh.connection", ActivityKind.Server);
        await using var network = new NetworkStream(socket, ownsSocket: false);
        IPEndPoint client;
        Stream stream;
        try
        {
            (client, stream, _) = await proxyHeaders.ReadAsync(network, peer, closeAll);
        }
        catch (Exception refused) when (refused is ProxyProtocolException or IOException or OperationCanceledException)
        {
            telemetry.Accepted("bad-proxy-header");
            LogRefused(logger, peer, refused.Message);
            return;
        }
        activity?.SetTag("client.address", client.Address.ToString());
        activity?.SetTag("client.port", (long)client.Port);
        if (bans.IsBanned(client.Address, out var ban))
        {
            telemetry.Accepted("banned");
            LogRefused(logger, client, $"banned until {ban.ExpiresAt:u}: {ban.Reason}");
            return;
        }
        if (!limits.TryAcquire(client.Address, out var preAuth, out var tooMany))
        {
            telemetry.Accepted("limited");
            LogRefused(logger, client, tooMany);
            return;
        }
        telemetry.Accepted("accepted");

        var trace = activity?.Context ?? default;
        using var loginTrace = new LoginTrace(telemetry, trace);
        var login = new LoginAttempt(identity, options.Value, client, loginTrace, logger);
        SshServerConnection ssh;
        try
        {
            using (preAuth)
            {
                ssh = await SshServer.HandshakeAsync(stream, login.ServerConfig(hostKeys), closeAll);
            }
        }
        catch (Exception failed) when (failed is SshProtocolException or SshDisconnectedException or IOException or OperationCanceledException)
        {
            telemetry.Handshake("failed");
            loginTrace.Failed(failed.Message);
            activity?.SetStatus(ActivityStatusCode.Error, "login failed");
            if (login.LastUsername.Length > 0)
            {
                LogLoginFailed(logger, client, login.LastUsername, failed.Message);
            }
            else
            {
                // No user named yet: a port probe, a scanner, a client that gave up during the key exchange.
                LogFailedBeforeLogin(logger, client, failed.Message);
            }
            if (login.IdentityWasUnavailable)
            {
                // An outage of ours, not the client's doing: no failed-login event, or Shield would ban whoever retries.
                return;
            }
            failures.Publish(FailureEvent.For(client, login.LastUsername, [.. login.Failures, failed.Message], SessionIds.ProxyId, DateTimeOffset.UtcNow));
            return;
        }
        telemetry.Handshake("authenticated");
        var authenticated = (LoginResult)ssh.User.Identity!;
        loginTrace.Succeeded(ssh.User.Method, authenticated.User.Username);
        await ServeAsync(ssh, authenticated, client, (IPEndPoint)socket.LocalEndPoint!, activity, closeAll);
    }

    private async Task ServeAsync(SshServerConnection ssh, LoginResult login, IPEndPoint client, IPEndPoint server, Activity? activity, CancellationToken closeAll)
    {
        var sessionId = SessionIds.Next();
        // Everything the connection logs from here on, its channels' tasks included (scopes flow with them), names the session and the user.
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["SessionId"] = sessionId, ["User"] = login.User.Username });
        activity?.SetTag("k8shell.session_id", sessionId);
        activity?.SetTag("user.name", login.User.Username);
        activity?.SetTag("ssh.client.version", ssh.ClientIdentification.Line);
        var trace = activity?.Context ?? default;
        LogAuthenticated(logger, sessionId, login.User.Username, client, ssh.User.Method, ssh.ClientIdentification.Line);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(closeAll);
        string userToken;
        try
        {
            userToken = await userTokens.GetAsync(login.User.Username, ended.Token);
        }
        catch (RpcException failure)
        {
            LogEnded(logger, sessionId, $"no user token: {failure.Status.Detail}");
            await ssh.CloseAsync(SshDisconnectReason.ByApplication, LoginAttempt.IdentityUnavailable, CancellationToken.None);
            return;
        }
        ProxyConnection? connection = null;
        SessionReporter? reporter = null;
        using var workspace = workspaces.For(new ConnectionWorkspace.Context(login, sessionId, client.Address.ToString(),
            link => reporter = sessionReporting.Start(new SessionStart(sessionId, login.User.Username, link.Workspace, link.Blueprint,
                ssh.ClientIdentification.Line, client, SessionIds.ProxyId, link.Daemon.ServerVersion, DateTimeOffset.UtcNow), connection!.Traffic),
            ended.Token, trace));
        await using var recorders = recordings.ForConnection(sessionId, cancellation => userTokens.GetAsync(login.User.Username, cancellation));
        connection = new ProxyConnection
        {
            SessionId = sessionId,
            UserString = login.UserString,
            User = login.User,
            Client = client,
            Server = server,
            Ssh = ssh,
            Workspace = workspace,
            Authorizer = ConnectionAuthorizer.ForUser(policies, userToken, login.User.Username,
                () => workspace.Ready is { } ready ? (ready.Workspace, ready.Blueprint) : null),
            Recorders = recorders,
            Traffic = new ConnectionTraffic(telemetry),
            Trace = trace,
        };
        telemetry.SessionOpened();
        var dispatching = Task.CompletedTask;
        var keepAlive = Task.CompletedTask;
        try
        {
            var serving = ssh.RunAsync(ended.Token);
            dispatching = channels.ServeAsync(connection, ended.Token);
            if (options.Value.KeepAliveInterval > TimeSpan.Zero)
            {
                keepAlive = ssh.KeepAliveAsync(options.Value.KeepAliveInterval, options.Value.KeepAliveMaxUnanswered, ended.Token);
            }
            using (closeAll.Register(() => _ = ssh.CloseAsync(SshDisconnectReason.ByApplication, "the gateway is shutting down; connect again in a moment", CancellationToken.None)))
            {
                await serving;
            }
        }
        catch (Exception reason) when (reason is IOException or OperationCanceledException or SshDisconnectedException or SshProtocolException)
        {
            LogEnded(logger, sessionId, reason.Message);
        }
        finally
        {
            // The connection is gone: its channels, listeners and probes end with it, before what they use is disposed.
            await ended.CancelAsync();
            await Task.WhenAll(ChannelPumps.QuietlyAsync(dispatching), ChannelPumps.QuietlyAsync(keepAlive));
            telemetry.SessionClosed();
            if (reporter is not null)
            {
                await reporter.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Client} before the handshake: {Reason}")]
    private static partial void LogRefused(ILogger logger, IPEndPoint client, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Login from {Client} as {Username} failed: {Reason}")]
    private static partial void LogLoginFailed(ILogger logger, IPEndPoint client, string username, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection from {Client} (no user yet) failed: {Reason}")]
    private static partial void LogFailedBeforeLogin(ILogger logger, IPEndPoint client, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: {Username} from {Client} by {Method} ({ClientVersion})")]
    private static partial void LogAuthenticated(ILogger logger, string sessionId, string username, IPEndPoint client, string method, string clientVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} ended: {Reason}")]
    private static partial void LogEnded(ILogger logger, string sessionId, string reason);
}
