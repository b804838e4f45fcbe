using System.Diagnostics;

namespace K8shell.EndToEnd.Tests;

/// <summary>What the fault tests read from and write to an ssh started by <see cref="Gateway.StartPiped"/>, each with a hang guard.</summary>
public static class PipedSsh
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>The next line ssh printed on stdout; the first one may wait for a workspace to be provisioned.</summary>
    public static async Task<string?> NextLineAsync(this Process ssh, TimeSpan? within = null) =>
        await ssh.StandardOutput.ReadLineAsync(Cancellation).AsTask().WaitAsync(within ?? TimeSpan.FromSeconds(60), Cancellation);

    /// <summary>Sends <paramref name="line"/> to a <c>cat</c> at the other end and returns the line that comes back.</summary>
    public static async Task<string?> EchoAsync(this Process ssh, string line)
    {
        await ssh.StandardInput.WriteLineAsync(line.AsMemory(), Cancellation);
        await ssh.StandardInput.FlushAsync(Cancellation);
        return await ssh.NextLineAsync();
    }

    /// <summary>ssh's exit code and what it printed on stderr, once it ended by itself (within <paramref name="within"/>).</summary>
    public static async Task<(int ExitCode, string Errors)> EndedAsync(this Process ssh, TimeSpan within)
    {
        await ssh.WaitForExitAsync(Cancellation).WaitAsync(within, Cancellation);
        return (ssh.ExitCode, await ssh.StandardError.ReadToEndAsync(Cancellation));
    }

    /// <summary>Kills an ssh a failed test left running.</summary>
    public static void KillIfRunning(this Process ssh)
    {
        if (!ssh.HasExited)
        {
            ssh.Kill();
        }
    }
}
