using System.Diagnostics;
using K8shell.Ssh.Authentication;

namespace K8shell.SshProxy.Authentication;

/// <summary>
/// The login's spans under the connection's: <c>ssh.handshake</c> from the accept to the client's first authentication
/// request (identification, key exchange, service request), then <c>ssh.auth</c> to the end of authentication, with
/// an event per attempt; and every attempt's outcome counted by method. K8shell.Ssh runs the authentication callbacks
/// on its own flow, so each callback makes <c>ssh.auth</c> current itself (<see cref="EnterAuthentication"/>): the
/// calls to Identity then nest under it.
/// </summary>
internal sealed class LoginTrace : IDisposable
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Partial = "partial";

    private readonly ProxyTelemetry _telemetry;
    private readonly ActivityContext _connection;
    private readonly Activity? _handshake;
    private Activity? _auth;
    private bool _authenticating;

    public LoginTrace(ProxyTelemetry telemetry, ActivityContext connection)
    {
        _telemetry = telemetry;
        _connection = connection;
        _handshake = ProxyTelemetry.StartChild("ssh.handshake", connection);
    }

    /// <summary>
    /// At the start of every authentication callback: the first ends the handshake's span and starts the
    /// authentication's; each makes it current for the callback's own flow (an async method's changes stay in it).
    /// </summary>
    public void EnterAuthentication()
    {
        if (!_authenticating)
        {
            _authenticating = true;
            _handshake?.Stop();
            _auth = ProxyTelemetry.StartChild("ssh.auth", _connection);
        }
        Activity.Current = _auth;
    }

    /// <summary>
    /// What a callback decided for <paramref name="method"/>: refusals and partial successes count here; an acceptance
    /// counts in <see cref="Succeeded"/>, once the library verified what it must (a signature) and logged the user in.
    /// </summary>
    public AuthDecision Decided(string method, AuthDecision decision)
    {
        switch (decision.Outcome)
        {
            case AuthOutcome.Rejected:
                Attempt(method, Failure);
                break;
            case AuthOutcome.PartialSuccess:
                Attempt(method, Partial);
                break;
        }
        return decision;
    }

    public void Succeeded(string method, string username)
    {
        Attempt(method, Success);
        _auth?.SetTag("ssh.auth.method", method);
        _auth?.SetTag("user.name", username);
        _auth?.Stop();
    }

    /// <summary>The handshake or the authentication failed: whichever span was open says why.</summary>
    public void Failed(string reason)
    {
        var open = _auth ?? _handshake;
        open?.SetStatus(ActivityStatusCode.Error, reason);
        open?.Stop();
    }

    public void Dispose()
    {
        _handshake?.Dispose();
        _auth?.Dispose();
    }

    private void Attempt(string method, string outcome)
    {
        _telemetry.AuthAttempt(method, outcome);
        _auth?.AddEvent(new ActivityEvent("ssh.auth.attempt", tags: new ActivityTagsCollection { ["ssh.auth.method"] = method, ["outcome"] = outcome }));
    }
}
