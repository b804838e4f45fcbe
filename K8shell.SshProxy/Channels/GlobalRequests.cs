namespace K8shell.SshProxy.Channels;

/// <summary>
/// The connection's global requests (RFC 4254 §4), answered in order: remote forwards and their
/// cancels, no-more-sessions@openssh.com; everything else, keepalive@openssh.com included, gets a
/// failure reply as OpenSSH's sshd gives it (any answer proves the server is alive).
/// </summary>
internal sealed class GlobalRequests(ConnectionChannels connection)
{
    public async Task ServeAsync()
    {
        await foreach (var request in connection.Connection.Ssh.GlobalRequests.ReadAllAsync(connection.Lifetime))
        {
            switch (request.Type)
            {
                case "tcpip-forward":
                    await connection.RemoteForwards.ForwardTcpAsync(request);
                    break;
                case "cancel-tcpip-forward":
                    await connection.RemoteForwards.CancelTcpAsync(request);
                    break;
                case "streamlocal-forward@openssh.com":
                    await connection.RemoteForwards.ForwardStreamLocalAsync(request);
                    break;
                case "cancel-streamlocal-forward@openssh.com":
                    await connection.RemoteForwards.CancelStreamLocalAsync(request);
                    break;
                case "no-more-sessions@openssh.com":
                    connection.RefuseFurtherSessions();
                    await request.ReplyAsync(true, connection.Lifetime);
                    break;
                default:
                    await request.ReplyAsync(false, connection.Lifetime);
                    break;
            }
        }
    }
}
