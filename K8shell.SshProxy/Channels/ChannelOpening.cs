using System.Diagnostics;
using K8shell.Ssh.Connection;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// A channel the client asked for, observed: its <c>ssh.channel</c> span, a child of the connection's span, and its
/// outcome, counted once by type — opened when accepted; denied when the proxy refused it (policy, limits, a type it
/// does not serve); failed when there was nothing to connect to, or when the channel ended before either. It has the
/// accept and reject of <see cref="NewChannel"/>, so the channel code answers through it and nothing goes uncounted.
/// </summary>
internal sealed class ChannelOpening : IDisposable
{
    public const string Opened = "opened";
    public const string Denied = "denied";
    public const string Failed = "failed";

    /// <summary>The types the metric names; anything else a client sends counts as "other", or its name would be a tag value it chose.</summary>
    private static readonly HashSet<string> KnownTypes = [ChannelDispatcher.Session, ChannelDispatcher.DirectTcpip, ChannelDispatcher.DirectStreamLocal];

    private readonly NewChannel _open;
    private readonly ProxyTelemetry _telemetry;
    private string? _outcome;

    public ChannelOpening(NewChannel open, ActivityContext connection, ProxyTelemetry telemetry)
    {
        _open = open;
        _telemetry = telemetry;
        Span = ProxyTelemetry.StartChild("ssh.channel", connection);
        Span?.SetTag("ssh.channel.type", open.Type);
    }

    /// <summary>The channel's span; the channel's own work makes it current so that its calls to k8shelld nest under it.</summary>
    public Activity? Span { get; }

    public string Type => _open.Type;

    public byte[] ExtraData => _open.ExtraData;

    public async ValueTask<SshChannel> AcceptAsync(CancellationToken cancellationToken)
    {
        var channel = await _open.AcceptAsync(cancellationToken);
        Decide(Opened, null);
        return channel;
    }

    public async ValueTask RejectAsync(ChannelOpenFailureReason reason, string message, CancellationToken cancellationToken)
    {
        Decide(reason == ChannelOpenFailureReason.ConnectFailed ? Failed : Denied, message);
        await _open.RejectAsync(reason, message, cancellationToken);
    }

    /// <summary>The request that starts a session channel's program: shell, exec or subsystem (with its name).</summary>
    public void Started(string request, string? subsystem)
    {
        Span?.SetTag("ssh.channel.request", request);
        Span?.SetTag("ssh.channel.subsystem", subsystem);
    }

    /// <summary>Where a direct-tcpip channel goes (OTel's server.* names: the workspace dials that server).</summary>
    public void Destination(string host, uint port)
    {
        Span?.SetTag("server.address", host);
        Span?.SetTag("server.port", (long)port);
    }

    /// <summary>An opened channel's request was refused (policy, workspace, recording): the span says why.</summary>
    public void Refused(string reason) => Span?.SetStatus(ActivityStatusCode.Error, reason);

    public void Dispose()
    {
        // Neither accepted nor refused: the connection or the client went away first.
        Decide(Failed, "ended before it was opened");
        Span?.Dispose();
    }

    private void Decide(string outcome, string? reason)
    {
        if (_outcome is not null)
        {
            return;
        }
        _outcome = outcome;
        _telemetry.Channel(KnownTypes.Contains(_open.Type) ? _open.Type : "other", outcome);
        Span?.SetTag("ssh.channel.outcome", outcome);
        if (reason is not null)
        {
            Span?.SetStatus(ActivityStatusCode.Error, reason);
        }
    }
}
