using System.Text;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Authentication;

/// <summary>SSH_MSG_USERAUTH_REQUEST (RFC 4252 §5) with its method-specific fields, parsed before any await.</summary>
internal sealed record UserAuthRequest(string User, string Service, string Method)
{
    public string? Algorithm { get; private init; }

    public byte[]? KeyBlob { get; private init; }

    /// <summary>Present on a signed publickey attempt; absent on a query.</summary>
    public byte[]? Signature { get; private init; }

    /// <summary>What the signature covers: string session_id || the request up to the signature (RFC 4252 §7).</summary>
    public byte[]? SignedData { get; private init; }

    public string? Password { get; private init; }

    public bool PasswordChange { get; private init; }

    public static UserAuthRequest Parse(ReadOnlySpan<byte> payload, byte[] sessionId, int maxUserNameBytes)
    {
        var reader = new SshReader(payload);
        reader.ReadByte(); // SSH_MSG_USERAUTH_REQUEST, read through the reader so an empty payload is refused, not sliced
        var userBytes = reader.ReadString();
        if (userBytes.Length > maxUserNameBytes)
        {
            throw new SshProtocolException(SshDisconnectReason.IllegalUserName, $"user name longer than {maxUserNameBytes} bytes");
        }
        var user = Utf8(userBytes);
        var service = reader.ReadAscii();
        var method = reader.ReadAscii();
        var request = new UserAuthRequest(user, service, method);

        switch (method)
        {
            case SshServerConfig.PublicKeyMethod:
                var signed = reader.ReadBoolean();
                var algorithm = reader.ReadAscii();
                var blob = reader.ReadString().ToArray();
                if (!signed)
                {
                    reader.EnsureAtEnd("publickey query");
                    return request with { Algorithm = algorithm, KeyBlob = blob };
                }
                var signedLength = payload.Length - reader.Remaining;
                var signature = reader.ReadString().ToArray();
                reader.EnsureAtEnd("publickey request");
                // What the client signed (RFC 4252 §7): the session id as a string, then the request up to the signature.
                var signedRequest = payload[..signedLength].ToArray();
                var data = SshWriter.Serialize(w =>
                {
                    w.WriteString(sessionId);
                    w.WriteRaw(signedRequest);
                });
                return request with { Algorithm = algorithm, KeyBlob = blob, Signature = signature, SignedData = data };

            case SshServerConfig.PasswordMethod:
                var change = reader.ReadBoolean();
                var password = reader.ReadUtf8();
                return request with { Password = password, PasswordChange = change };

            default:
                // keyboard-interactive's language and submethods are deprecated hints; other methods carry nothing we use.
                return request;
        }
    }

    /// <summary>Keeps the password out of logs.</summary>
    public override string ToString() => $"UserAuthRequest {{ User = {User}, Service = {Service}, Method = {Method} }}";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new SshProtocolException(SshDisconnectReason.IllegalUserName, "user name is not valid UTF-8");
        }
    }
}
