using System.Diagnostics;

namespace K8shell.Bench;

/// <summary>
/// Time to a prompt (connect, authenticate, PTY, shell prompt on screen; SSH.NET as the client): the first login to a
/// new Process workspace (the user's workspaces are deleted before each run), a login to the running workspace, and sshd.
/// </summary>
internal sealed class ProvisioningBenchmark(BenchKeys keys, Sshd sshd, StackUnderTest stack, int runs)
{
    public async Task<IReadOnlyList<(string Name, Measurement Times)>> RunAsync(CancellationToken cancellationToken)
    {
        var ours = stack.Target(keys);
        var fresh = new Measurement();
        var running = new Measurement();
        var reference = new Measurement();
        for (var index = 0; index < runs; index++)
        {
            await stack.DeleteWorkspacesAsync(ours.User, cancellationToken);
            fresh.Add(await TimeToPromptAsync(ours, null, cancellationToken));
            running.Add(await TimeToPromptAsync(ours, null, cancellationToken));
            reference.Add(await TimeToPromptAsync(keys.Sshd(sshd), null, cancellationToken));
        }
        return [("k8shell, new workspace", fresh), ("k8shell, running workspace", running), ("sshd", reference)];
    }

    public static void Print(IReadOnlyList<(string Name, Measurement Times)> results)
    {
        Report.Out.WriteLine();
        Report.Out.WriteLine($"{"time to a prompt",-40} median (min-max)");
        foreach (var (name, times) in results)
        {
            Report.Out.WriteLine($"{name,-40} {times.Median.TotalMilliseconds:F0} ms ({times.Min.TotalMilliseconds:F0}-{times.Max.TotalMilliseconds:F0})");
        }
        Report.Out.WriteLine($"target: a new workspace's prompt in < 1000 ms");
    }

    private static async Task<TimeSpan> TimeToPromptAsync(SshTarget target, string? user, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var session = await LoadSession.OpenAsync(target, user, cancellationToken);
        return stopwatch.Elapsed;
    }
}
