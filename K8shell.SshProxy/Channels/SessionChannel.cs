using K8shell.Ssh.Connection;
using K8shell.SshProxy.Authorization;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.Recording;
using K8shell.SshProxy.Workspaces;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// A session channel (RFC 4254 §6): pty-req, env (allow-listed) and auth-agent-req set the stage;
/// shell, exec or the sftp subsystem start the program in the workspace, once per channel; while it
/// runs, window-change and signal reach it. Refusals reply failure with the reason on stderr.
/// </summary>
internal sealed class SessionChannel(ConnectionChannels connection, ChannelOpening opening, SshChannel channel)
{
    private readonly SessionSetup _setup = new();
    private ProcessRelay? _relay;
    private bool _started;

    private ProxyConnection Proxy => connection.Connection;

    private CancellationToken Lifetime => connection.Lifetime;

    private bool OnTerminal => _setup.Pty is not null;

    public static async Task OpenAsync(ConnectionChannels connection, ChannelOpening open)
    {
        if (connection.NoMoreSessions)
        {
            await open.RejectAsync(ChannelOpenFailureReason.AdministrativelyProhibited, "no more sessions: the client said so (no-more-sessions@openssh.com)", connection.Lifetime);
            return;
        }
        await new SessionChannel(connection, open, await open.AcceptAsync(connection.Lifetime)).ServeAsync();
    }

    private async Task ServeAsync()
    {
        Task running = Task.CompletedTask;
        await foreach (var request in channel.Requests.ReadAllAsync(Lifetime))
        {
            if (_started)
            {
                await SteerAsync(request);
            }
            else if (await PrepareAsync(request) is { } started)
            {
                running = started;
            }
        }
        await running;
    }

    /// <summary>Requests before the program starts; the one that starts it returns the running relay.</summary>
    private async ValueTask<Task?> PrepareAsync(ChannelRequest request)
    {
        switch (request.Type)
        {
            case "pty-req":
                _setup.Pty = PtyRequest.Parse(request.Payload);
                await request.ReplyAsync(true, Lifetime);
                return null;
            case "env":
                var variable = EnvRequest.Parse(request.Payload);
                var allowed = connection.Environment.Allows(variable.Name);
                if (allowed)
                {
                    _setup.SetVariable(variable.Name, variable.Value);
                }
                else
                {
                    connection.Logger.LogDebug("Session {SessionId}: env {Name} refused, not in {Key}", Proxy.SessionId, variable.Name, $"{ChannelOptions.Section}:EnvAllowList");
                }
                await request.ReplyAsync(allowed, Lifetime);
                return null;
            case "auth-agent-req@openssh.com":
                _setup.AgentRequested = true;
                await request.ReplyAsync(true, Lifetime);
                return null;
            case "window-change":
                _setup.Resize(WindowChangeRequest.Parse(request.Payload));
                await request.ReplyAsync(true, Lifetime);
                return null;
            case "x11-req":
                await ChannelEnding.WriteLineAsync(channel, Proxy.Traffic, "k8shell: X11 forwarding is not supported", OnTerminal, Lifetime);
                await request.ReplyAsync(false, Lifetime);
                return null;
            case "shell":
                opening.Started(request.Type, null);
                return await StartAsync(request, SessionKind.Shell, null);
            case "exec":
                opening.Started(request.Type, null);
                return await StartAsync(request, SessionKind.Exec, StringRequest.Parse(request.Payload, "exec"));
            case "subsystem" when StringRequest.Parse(request.Payload, "subsystem") == "sftp":
                opening.Started(request.Type, "sftp");
                return await StartAsync(request, SessionKind.Sftp, null);
            default:
                await request.ReplyAsync(false, Lifetime);
                return null;
        }
    }

    /// <summary>Requests while the program runs.</summary>
    private async ValueTask SteerAsync(ChannelRequest request)
    {
        switch (request.Type)
        {
            case "window-change" when _relay is not null:
                await _relay.ResizeAsync(SessionSetup.Size(WindowChangeRequest.Parse(request.Payload)), Lifetime);
                await request.ReplyAsync(true, Lifetime);
                break;
            case "signal" when _relay is not null:
                await _relay.SignalAsync(StringRequest.Parse(request.Payload, "signal"), Lifetime);
                await request.ReplyAsync(true, Lifetime);
                break;
            case "eow@openssh.com":
                // The client will send no more data (OpenSSH PROTOCOL §2.1): its EOF follows, which closes stdin.
                await request.ReplyAsync(true, Lifetime);
                break;
            default:
                await request.ReplyAsync(false, Lifetime);
                break;
        }
    }

    /// <summary>Policy, workspace, recording, then the program: each step can refuse with a reason the user sees.</summary>
    private async ValueTask<Task?> StartAsync(ChannelRequest request, SessionKind kind, string? command)
    {
        _started = true;
        var asUser = Proxy.UserString.AsUser;
        var decision = kind == SessionKind.Sftp
            ? await connection.AuthorizeAsync(kind.Action)
            : await connection.AuthorizeAsync(kind.Action, ("command", command), ("pty", OnTerminal ? "true" : null), ("as_user", asUser));
        var session = decision.Allowed ? await connection.AuthorizeSessionStartAsync(kind.SessionType) : decision;
        if (!session.Allowed)
        {
            await RefuseAsync(request, $"k8shell: {kind.SessionType} denied: {session.Reason}", 1); // a denial's status, as the reference product sends
            return null;
        }

        var streamId = Proxy.NextStreamId(kind.StreamPrefix);
        var terminal = kind == SessionKind.Shell && OnTerminal ? new WorkspaceTerminal(channel) : null;
        WorkspaceLink link;
        try
        {
            link = await Proxy.Workspace.GetAsync(terminal, Lifetime);
        }
        catch (WorkspaceUnavailableException unavailable)
        {
            opening.Refused(unavailable.Message);
            await request.ReplyAsync(true, Lifetime);
            // The command never ran: 255, as ssh exits when it could not run one, so a script retries instead of reading a command's own status.
            if (terminal is { FailureShown: true })
            {
                await ChannelEnding.ExitAsync(channel, ChannelEnding.NotRun, Lifetime); // the progress line said why already
            }
            else
            {
                await ChannelEnding.FailAsync(channel, Proxy.Traffic, $"k8shell: {unavailable.Message}", OnTerminal, ChannelEnding.NotRun, Lifetime);
            }
            return null;
        }

        IChannelRecording? recording;
        try
        {
            var obligation = session.Obligations.GetValueOrDefault(PolicyDecision.RecordObligation);
            recording = await Proxy.Recorders.StartAsync(_setup.Recording(kind.Recording, streamId, obligation, link.Daemon.Shell, command), Lifetime);
        }
        catch (RecordingRefusedException refused)
        {
            await RefuseAsync(request, $"k8shell: {refused.Message}", ChannelEnding.NotRun); // Sessions may be back soon: retry
            return null;
        }

        var agent = _setup.AgentRequested && kind != SessionKind.Sftp && await connection.Agent.EnableAsync(link);
        var start = _setup.Start(Proxy.SessionId, streamId, asUser, command, onTerminal: kind != SessionKind.Sftp, agent, showSplash: terminal is not null,
            Proxy.Client, Proxy.Server);
        CountOperations(kind, start.Pty is not null);
        await request.ReplyAsync(true, Lifetime);
        _relay = new ProcessRelay(channel, Proxy.Traffic, recording, start.Pty is not null, connection.Logger);
        connection.Logger.LogInformation("Session {SessionId}: {Kind} {StreamId} in {Workspace}{Terminal}", Proxy.SessionId, kind.SessionType, streamId,
            link.Workspace, start.Pty is null ? "" : " on a terminal");
        return _relay.RunAsync(kind.Open(link), start, terminal?.TypedAhead ?? ReadOnlyMemory<byte>.Empty, Lifetime);
    }

    private void CountOperations(SessionKind kind, bool pty)
    {
        Proxy.Traffic.AddOperation(kind.StreamPrefix);
        if (pty)
        {
            Proxy.Traffic.AddOperation(ConnectionTraffic.Pty);
        }
    }

    /// <summary>
    /// Accepts the request, then the reason on stderr, then <paramref name="exitStatus"/>, EOF and CLOSE. Not a failure
    /// reply: OpenSSH ends at once on a failed shell or exec request of its session (fatal, exit 255), and the reason
    /// sent just before could be lost with it (seen in the fault tests); an ended channel's stderr is always printed.
    /// </summary>
    private async ValueTask RefuseAsync(ChannelRequest request, string reason, uint exitStatus)
    {
        connection.Logger.LogInformation("Session {SessionId}: {Request} refused: {Reason}", Proxy.SessionId, request.Type, reason);
        opening.Refused(reason);
        try
        {
            await request.ReplyAsync(true, Lifetime);
        }
        catch (SshChannelClosedException)
        {
            return; // The client closed the channel first.
        }
        await ChannelEnding.FailAsync(channel, Proxy.Traffic, reason, OnTerminal, exitStatus, Lifetime);
    }
}
