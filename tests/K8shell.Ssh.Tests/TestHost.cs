using System.Diagnostics;
using K8shell.Ssh.Connection;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Tests;

/// <summary>
/// The smallest useful host on the library: session channels whose exec requests run as local
/// processes through /bin/sh. Everything else is refused.
/// </summary>
internal static class TestHost
{
    public static async Task ServeAsync(SshServerConnection connection, CancellationToken cancellationToken)
    {
        var serving = connection.RunAsync(cancellationToken);
        var globals = RefuseAllAsync(connection, cancellationToken);
        var sessions = new List<Task>();
        await foreach (var channel in connection.IncomingChannels.ReadAllAsync(cancellationToken))
        {
            if (channel.Type != "session")
            {
                await channel.RejectAsync(ChannelOpenFailureReason.UnknownChannelType, $"{channel.Type} is not served here", cancellationToken);
                continue;
            }
            var session = await channel.AcceptAsync(cancellationToken);
            sessions.Add(ServeSessionAsync(session, cancellationToken));
        }
        await Task.WhenAll(sessions);
        await globals;
        await serving;
    }

    private static async Task RefuseAllAsync(SshServerConnection connection, CancellationToken cancellationToken)
    {
        await foreach (var request in connection.GlobalRequests.ReadAllAsync(cancellationToken))
        {
            await request.ReplyAsync(false, cancellationToken);
        }
    }

    private static async Task ServeSessionAsync(SshChannel channel, CancellationToken cancellationToken)
    {
        await foreach (var request in channel.Requests.ReadAllAsync(cancellationToken))
        {
            if (request.Type != "exec")
            {
                await request.ReplyAsync(false, cancellationToken);
                continue;
            }
            var command = ReadCommand(request.Payload);
            await request.ReplyAsync(true, cancellationToken);
            await ExecAsync(channel, command, cancellationToken);
            return;
        }
    }

    private static string ReadCommand(byte[] payload)
    {
        var reader = new SshReader(payload);
        return reader.ReadUtf8();
    }

    private static async Task ExecAsync(SshChannel channel, string command, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(startInfo)!;
        var stdin = PumpInputAsync(channel, process.StandardInput.BaseStream, cancellationToken);
        var stdout = PumpOutputAsync(process.StandardOutput.BaseStream, channel.WriteAsync, cancellationToken);
        var stderr = PumpOutputAsync(process.StandardError.BaseStream, channel.WriteStderrAsync, cancellationToken);
        await Task.WhenAll(stdout, stderr);
        await process.WaitForExitAsync(cancellationToken);

        // RFC 4254 §6.10 and SPEC.md §2: exit-status, then EOF, then CLOSE.
        await channel.SendExitStatusAsync((uint)process.ExitCode, cancellationToken);
        await channel.SendEofAsync(cancellationToken);
        await channel.CloseAsync(cancellationToken);
        await channel.Closed.WaitAsync(cancellationToken);
        try
        {
            await stdin;
        }
        catch (IOException)
        {
            // The command exited before reading all its input.
        }
    }

    private static async Task PumpInputAsync(SshChannel channel, Stream stdin, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        await using (stdin)
        {
            int read;
            while ((read = await channel.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await stdin.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
    }

    private static async Task PumpOutputAsync(Stream source, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await write(buffer.AsMemory(0, read), cancellationToken);
        }
    }
}
