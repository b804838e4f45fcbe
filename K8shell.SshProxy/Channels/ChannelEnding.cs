using System.Text;
using K8shell.Ssh.Connection;
using K8shell.SshProxy.Connections;

namespace K8shell.SshProxy.Channels;

/// <summary>How a session channel tells the user something and ends: a stderr line, then exit-status, EOF and CLOSE in that order (SPEC.md §2).</summary>
internal static class ChannelEnding
{
    /// <summary>Exit code for "the workspace went away under the command", as ssh reports its own failures.</summary>
    public const uint ConnectionLost = 255;

    /// <summary>Exit code for "the workspace could not be prepared, the command never ran": ssh's own for failing to run one.</summary>
    public const uint NotRun = 255;

    /// <summary>Writes <paramref name="message"/> on stderr as one line; a terminal needs CR LF to start the next line at the left.</summary>
    public static async ValueTask WriteLineAsync(SshChannel channel, ConnectionTraffic traffic, string message, bool terminal, CancellationToken cancellationToken)
    {
        var line = Encoding.UTF8.GetBytes(message.ReplaceLineEndings(" ").TrimEnd() + (terminal ? "\r\n" : "\n"));
        traffic.AddOut(line.Length);
        await channel.WriteStderrAsync(line, cancellationToken);
    }

    /// <summary>exit-status, EOF, CLOSE; a client that closed first makes the rest moot.</summary>
    public static async ValueTask ExitAsync(SshChannel channel, uint status, CancellationToken cancellationToken)
    {
        await channel.SendExitStatusAsync(status, cancellationToken);
        await CloseAsync(channel, cancellationToken);
    }

    public static async ValueTask CloseAsync(SshChannel channel, CancellationToken cancellationToken)
    {
        await channel.SendEofAsync(cancellationToken);
        await channel.CloseAsync(cancellationToken);
    }

    /// <summary>A line on stderr, then exit-status, EOF and CLOSE; if the client is gone already, there is nobody left to tell.</summary>
    public static async ValueTask FailAsync(SshChannel channel, ConnectionTraffic traffic, string message, bool terminal, uint status, CancellationToken cancellationToken)
    {
        try
        {
            await WriteLineAsync(channel, traffic, message, terminal, cancellationToken);
            await ExitAsync(channel, status, cancellationToken);
        }
        catch (SshChannelClosedException)
        {
            // The client closed the channel first.
        }
    }
}
