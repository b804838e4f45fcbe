using K8shell.Ssh.Transport;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Authentication;

/// <summary>Who logged in, how, and what the host's callbacks attached to them.</summary>
public sealed record AuthenticatedUser(string User, string Method, object? Identity, UserPublicKey? PublicKey);

/// <summary>
/// The server side of RFC 4252 (plus RFC 4256 keyboard-interactive): one request at a time, the
/// host's callbacks deciding, failures counted and bounded.
/// </summary>
internal sealed class UserAuthentication(SshTransport transport, SshServerConfig config, byte[] sessionId, string clientVersion, LoginGrace grace)
{
    private const string UserAuthService = "ssh-userauth";
    private const string ConnectionService = "ssh-connection";

    private readonly Dictionary<(string User, string Key), AuthDecision> _publicKeyDecisions = [];
    private readonly HashSet<string> _bannerShownTo = [];
    private IReadOnlyList<string>? _stillRequired;
    private object? _partialIdentity;
    private int _failures;

    public async ValueTask<AuthenticatedUser> RunAsync(CancellationToken cancellationToken)
    {
        var serviceAccepted = false;
        while (true)
        {
            UserAuthRequest request;
            using (var packet = await transport.ReceiveAsync(cancellationToken))
            {
                if (packet.MessageNumber == (byte)SshMessageNumber.ServiceRequest)
                {
                    // Some clients (paramiko) ask again before each attempt; OpenSSH's sshd accepts that too.
                    await AcceptServiceAsync(RequestedService(packet.Payload), cancellationToken);
                    serviceAccepted = true;
                    continue;
                }
                if (!serviceAccepted || packet.MessageNumber != (byte)SshMessageNumber.UserAuthRequest)
                {
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError,
                        $"expected {(serviceAccepted ? "a user authentication" : "a service")} request, got message {packet.MessageNumber}");
                }
                request = UserAuthRequest.Parse(packet.Payload, sessionId, config.MaxUserNameBytes);
            }
            if (request.Service != ConnectionService)
            {
                throw new SshProtocolException(SshDisconnectReason.ServiceNotAvailable, $"service {request.Service} is not available");
            }

            var offered = await OfferedMethodsAsync(request.User, cancellationToken);
            var (decision, key) = request.Method == "none" || !offered.Contains(request.Method)
                ? (AuthDecision.Reject(), null)
                : await DecideAsync(request, cancellationToken);
            if (decision is null)
            {
                continue; // a publickey query answered with PK_OK
            }

            await ShowBannersAsync(request.User, decision.Banner, cancellationToken);
            switch (decision.Outcome)
            {
                case AuthOutcome.Accepted:
                    await transport.SendAsync(w => w.WriteByte((byte)SshMessageNumber.UserAuthSuccess), cancellationToken);
                    return new AuthenticatedUser(request.User, request.Method, decision.Identity ?? _partialIdentity, key);

                case AuthOutcome.PartialSuccess:
                    _stillRequired = decision.NextMethods;
                    _partialIdentity = decision.Identity ?? _partialIdentity;
                    await SendFailureAsync(decision.NextMethods, partialSuccess: true, cancellationToken);
                    break;

                default:
                    if (request.Method != "none" && ++_failures >= config.MaxAuthAttempts)
                    {
                        throw new SshProtocolException(SshDisconnectReason.NoMoreAuthMethodsAvailable,
                            $"too many authentication failures for {request.User}");
                    }
                    await SendFailureAsync(offered, partialSuccess: false, cancellationToken);
                    break;
            }
        }
    }

    private static string RequestedService(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload[1..]);
        var service = reader.ReadAscii();
        reader.EnsureAtEnd("service request");
        return service;
    }

    private async ValueTask AcceptServiceAsync(string service, CancellationToken cancellationToken)
    {
        if (service != UserAuthService)
        {
            throw new SshProtocolException(SshDisconnectReason.ServiceNotAvailable, $"service {service} is not available");
        }
        await transport.SendAsync(w =>
        {
            w.WriteByte((byte)SshMessageNumber.ServiceAccept);
            w.WriteUtf8(UserAuthService);
        }, cancellationToken);
    }

    private async ValueTask<IReadOnlyList<string>> OfferedMethodsAsync(string user, CancellationToken cancellationToken) =>
        _stillRequired ?? (config.AuthMethods is { } methods ? await methods(user, cancellationToken) : config.DefaultMethods);

    /// <summary>The host's decision, or null when a publickey query was answered with PK_OK.</summary>
    private async ValueTask<(AuthDecision? Decision, UserPublicKey? Key)> DecideAsync(UserAuthRequest request, CancellationToken cancellationToken)
    {
        switch (request.Method)
        {
            case SshServerConfig.PublicKeyMethod when config.PublicKeyCallback is not null:
                var key = UserPublicKey.TryParse(request.Algorithm!, request.KeyBlob!);
                if (key is null)
                {
                    return (AuthDecision.Reject(), null);
                }
                if (request.Signature is null)
                {
                    var answer = await PublicKeyDecisionAsync(request.User, key, cancellationToken);
                    if (answer.Outcome == AuthOutcome.Rejected)
                    {
                        return (answer, null);
                    }
                    await transport.SendAsync(w =>
                    {
                        w.WriteByte((byte)SshMessageNumber.UserAuthMethodSpecific); // SSH_MSG_USERAUTH_PK_OK
                        w.WriteUtf8(request.Algorithm!);
                        w.WriteString(request.KeyBlob);
                    }, cancellationToken);
                    return (null, null);
                }
                // The decision used is the one for the key that signed, never a neighbour's (CVE-2024-45337).
                return key.Verify(request.Algorithm!, request.SignedData, request.Signature)
                    ? (await PublicKeyDecisionAsync(request.User, key, cancellationToken), key)
                    : (AuthDecision.Reject(), null);

            case SshServerConfig.PasswordMethod when config.PasswordCallback is not null:
                // We never offer a password change, so a change request is just a failed attempt.
                return request.PasswordChange
                    ? (AuthDecision.Reject(), null)
                    : (await config.PasswordCallback(new PasswordAuthRequest(request.User, request.Password!, clientVersion), cancellationToken), null);

            case SshServerConfig.KeyboardInteractiveMethod when config.KeyboardInteractiveCallback is not null:
                var interactive = new KeyboardInteractiveRequest(request.User, clientVersion, AskAsync, grace.ExtendTo);
                return (await config.KeyboardInteractiveCallback(interactive, cancellationToken), null);

            default:
                return (AuthDecision.Reject(), null);
        }
    }

    /// <summary>One host call per user and key: the query and the signed attempt share it.</summary>
    private async ValueTask<AuthDecision> PublicKeyDecisionAsync(string user, UserPublicKey key, CancellationToken cancellationToken)
    {
        if (!_publicKeyDecisions.TryGetValue((user, key.AuthorizedKey), out var decision))
        {
            decision = await config.PublicKeyCallback!(new PublicKeyAuthRequest(user, key, clientVersion), cancellationToken);
            _publicKeyDecisions[(user, key.AuthorizedKey)] = decision;
        }
        return decision;
    }

    /// <summary>One keyboard-interactive round (RFC 4256 §3.2–3.4).</summary>
    private async ValueTask<IReadOnlyList<string>> AskAsync(
        string name, string instruction, IReadOnlyList<(string Prompt, bool Echo)> prompts, CancellationToken cancellationToken)
    {
        await transport.SendAsync(w =>
        {
            w.WriteByte((byte)SshMessageNumber.UserAuthMethodSpecific); // SSH_MSG_USERAUTH_INFO_REQUEST
            w.WriteUtf8(name);
            w.WriteUtf8(instruction);
            w.WriteUtf8("");
            w.WriteUInt32((uint)prompts.Count);
            foreach (var (prompt, echo) in prompts)
            {
                w.WriteUtf8(prompt);
                w.WriteBoolean(echo);
            }
        }, cancellationToken);

        using var packet = await transport.ReceiveAsync(cancellationToken);
        return ParseInfoResponse(packet.Payload, prompts.Count);
    }

    private static string[] ParseInfoResponse(ReadOnlySpan<byte> payload, int expected)
    {
        var reader = new SshReader(payload);
        if (reader.ReadByte() != (byte)SshMessageNumber.UserAuthInfoResponse)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, "expected a keyboard-interactive response");
        }
        var count = reader.ReadUInt32();
        if (count != expected)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"keyboard-interactive: {count} answers to {expected} prompts");
        }
        var answers = new string[count];
        for (var i = 0; i < answers.Length; i++)
        {
            answers[i] = reader.ReadUtf8();
        }
        reader.EnsureAtEnd("keyboard-interactive response");
        return answers;
    }

    private async ValueTask ShowBannersAsync(string user, string? decisionBanner, CancellationToken cancellationToken)
    {
        if (_bannerShownTo.Add(user) && config.Banner?.Invoke(user) is { Length: > 0 } banner)
        {
            await SendBannerAsync(banner, cancellationToken);
        }
        if (decisionBanner is { Length: > 0 })
        {
            await SendBannerAsync(decisionBanner, cancellationToken);
        }
    }

    private ValueTask SendBannerAsync(string text, CancellationToken cancellationToken) => transport.SendAsync(w =>
    {
        w.WriteByte((byte)SshMessageNumber.UserAuthBanner);
        w.WriteUtf8(text.EndsWith('\n') ? text : text + "\r\n");
        w.WriteUtf8("");
    }, cancellationToken);

    private ValueTask SendFailureAsync(IReadOnlyList<string> methods, bool partialSuccess, CancellationToken cancellationToken) => transport.SendAsync(w =>
    {
        w.WriteByte((byte)SshMessageNumber.UserAuthFailure);
        w.WriteNameList(methods);
        w.WriteBoolean(partialSuccess);
    }, cancellationToken);
}
