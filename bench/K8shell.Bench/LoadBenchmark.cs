using System.Collections.Concurrent;
using System.Diagnostics;

namespace K8shell.Bench;

/// <summary>What a server did with many concurrent interactive sessions.</summary>
internal sealed record LoadResult(
    string Server, int Requested, int Opened, int Typed, int Echoed, long MemoryPerSession, double CpuCores,
    TimeSpan P50, TimeSpan P99, TimeSpan Max, TimeSpan OpenTime, string? FirstFailure);

/// <summary>
/// Opens <paramref name="sessions"/> interactive sessions (PTY and shell) to one server, a few handshakes at a time as
/// the servers' pre-auth limits want, then has every session type at once (a key about every second) and times each
/// echo. The server's memory is its processes' proportional set size with the sessions open minus before them, after a
/// warm-up (the proxy's one process; sshd's listener and the processes it forks per connection, not the shells); CPU
/// is the server's CPU time over the typing phase.
/// </summary>
internal sealed class LoadBenchmark(int sessions, int keystrokes)
{
    private const int HandshakesAtOnce = 8;

    public async Task<LoadResult> RunAsync(SshTarget target, Func<IReadOnlyList<int>> serverProcesses, CancellationToken cancellationToken)
    {
        await WarmUpAsync(target, cancellationToken);
        var memoryBefore = ProcessStats.Pss(serverProcesses());
        var open = new ConcurrentBag<LoadSession>();
        var failures = new ConcurrentQueue<string>();
        var opening = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, sessions), new ParallelOptions { MaxDegreeOfParallelism = HandshakesAtOnce, CancellationToken = cancellationToken },
            async (_, token) =>
            {
                try
                {
                    open.Add(await LoadSession.OpenAsync(target, null, token));
                }
                catch (Exception failure) when (failure is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    failures.Enqueue($"open: {failure.GetType().Name}: {failure.Message}");
                }
            });
        var openTime = opening.Elapsed;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken); // splash screens and prompts printed
            var processes = serverProcesses();
            var memory = ProcessStats.Pss(processes) - memoryBefore;
            var cpuBefore = ProcessStats.CpuTime(processes);
            var typing = Stopwatch.StartNew();
            var latencies = new ConcurrentQueue<TimeSpan>();
            await Task.WhenAll(open.Select(async session =>
            {
                try
                {
                    await session.TypeAsync(keystrokes, latencies.Enqueue, cancellationToken);
                }
                catch (Exception failure) when (failure is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failures.Enqueue($"typing: {failure.GetType().Name}: {failure.Message}");
                }
            }));
            var cpu = (ProcessStats.CpuTime(processes) - cpuBefore) / typing.Elapsed;
            var sorted = latencies.Order().ToList();
            TimeSpan At(double quantile) => sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
            return new LoadResult(target.Name, sessions, open.Count, open.Count * keystrokes, sorted.Count, open.IsEmpty ? 0 : memory / open.Count, cpu,
                At(0.50), At(0.99), sorted.Count == 0 ? TimeSpan.Zero : sorted[^1], openTime, failures.FirstOrDefault());
        }
        finally
        {
            Parallel.ForEach(open, session => session.Dispose());
        }
    }

    /// <summary>
    /// A few sessions opened, typed in and closed before the measure: what a server spends once (the proxy's JIT'd
    /// code for a session's path, a workspace started, connections to the services) is not a session's memory.
    /// </summary>
    private static async Task WarmUpAsync(SshTarget target, CancellationToken cancellationToken)
    {
        var sessions = await Task.WhenAll(Enumerable.Range(0, HandshakesAtOnce).Select(_ => LoadSession.OpenAsync(target, null, cancellationToken)));
        try
        {
            await Task.WhenAll(sessions.Select(session => session.TypeAsync(1, _ => { }, cancellationToken)));
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); // their connections closed on the server too
    }

    public static void Print(IReadOnlyList<LoadResult> results)
    {
        Report.Out.WriteLine();
        Report.Out.WriteLine($"{"server",-10} {"sessions",-12} {"keys echoed",-14} {"echo p50/p99/max ms",-22} {"memory/session",-16} {"CPU (cores)",-12} opened in");
        foreach (var result in results)
        {
            Report.Out.WriteLine($"{result.Server,-10} {$"{result.Opened}/{result.Requested}",-12} {$"{result.Echoed}/{result.Typed}",-14} " +
                              $"{$"{result.P50.TotalMilliseconds:F1}/{result.P99.TotalMilliseconds:F1}/{result.Max.TotalMilliseconds:F0}",-22} " +
                              $"{$"{result.MemoryPerSession / 1024.0:F0} KiB",-16} {result.CpuCores,-12:F2} {result.OpenTime.TotalSeconds:F1} s");
            if (result.FirstFailure is { } failure)
            {
                Report.Out.WriteLine($"  first failure: {failure}");
            }
        }
        if (results.Count == 2 && results[0].MemoryPerSession > 0)
        {
            Report.Out.WriteLine($"sshd's memory per connection / k8shell proxy's per session: {results[1].MemoryPerSession / (double)results[0].MemoryPerSession:F1} (target ≥ 20)");
        }
    }
}
