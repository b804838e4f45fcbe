using System.IO.Pipelines;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.Connection;
using K8shell.Ssh.Transport;
using K8shell.Ssh.Transport.KeyExchange;
using K8shell.Ssh.Transport.Packets;

namespace K8shell.Ssh;

/// <summary>Turns an accepted stream into an authenticated SSH connection.</summary>
public static class SshServer
{
    /// <summary>
    /// Identification, key exchange and user authentication, all within the login grace time (which a
    /// keyboard-interactive callback may extend, <see cref="KeyboardInteractiveRequest.ExtendLoginGrace"/>). A peer
    /// that breaks the protocol gets SSH_MSG_DISCONNECT with the reason, then the exception is rethrown
    /// for the host to log; nothing else escapes.
    /// </summary>
    public static async Task<SshServerConnection> HandshakeAsync(Stream stream, SshServerConfig config, CancellationToken cancellationToken)
    {
        using var grace = new LoginGrace(config.LoginGraceTime, cancellationToken);
        // Zero-byte reads: an idle connection waits for the socket without holding a buffer (hundreds of idle sessions).
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(useZeroByteReads: true));
        var output = PipeWriter.Create(stream);
        var reader = new PacketReader(input);
        var writer = new PacketWriter(output);
        var transport = new SshTransport(reader, writer);
        var identified = false;
        try
        {
            var server = SshIdentification.ForServer(config.SoftwareVersion);
            await output.WriteAsync(server.ToWire(), grace.Token);
            var client = await IdentificationExchange.ReadAsync(input, grace.Token);
            identified = true;
            var exchange = new ServerKeyExchange(reader, writer, config.HostKeys, client, server);
            var keyExchange = await exchange.RunInitialAsync(grace.Token);
            transport.EnableRekeying(exchange, config.RekeyLimits);
            var user = await new UserAuthentication(transport, config, keyExchange.SessionId, client.Line, grace).RunAsync(grace.Token);
            return new SshServerConnection(transport, client, keyExchange, user, config.HostKeys, config.MaxChannels);
        }
        catch (SshProtocolException violation)
        {
            // Before the identification is through, the peer may not even speak SSH: no binary packet for it.
            if (identified)
            {
                await transport.DisconnectAsync(violation.Reason, violation.Message, CancellationToken.None);
            }
            throw;
        }
        catch (OperationCanceledException) when (grace.Token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var message = $"login grace time of {grace.Allowed.TotalSeconds:F0} s exceeded";
            if (identified)
            {
                await transport.DisconnectAsync(SshDisconnectReason.ByApplication, message, CancellationToken.None);
            }
            throw new SshProtocolException(SshDisconnectReason.ByApplication, message);
        }
    }
}
