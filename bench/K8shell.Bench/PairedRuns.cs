namespace K8shell.Bench;

/// <summary>Runs cases against K8shell and sshd, alternating run by run so drift in the machine's load hits both alike.</summary>
internal static class PairedRuns
{
    /// <summary>
    /// With <paramref name="inProcess"/> (K8shell serving from this process), the bytes this process allocates during
    /// our runs are kept per run, and the sampler, if any, records only our runs and prints its profile per measure.
    /// </summary>
    public static async Task<IReadOnlyList<Comparison>> RunAsync(
        IEnumerable<Case> cases, SshTarget ours, SshTarget sshd, int runs, CancellationToken cancellationToken,
        bool inProcess = false, AllocationSampler? sampler = null)
    {
        var results = new List<Comparison>();
        // BENCH_ONLY=download (any part of a measure's name) runs that one, e.g. under a profiler.
        var only = Environment.GetEnvironmentVariable("BENCH_ONLY");
        foreach (var measure in cases.Where(c => only is null || c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
        {
            var ourTimes = new Measurement();
            var sshdTimes = new Measurement();
            sampler?.Start();
            for (var run = 0; run < runs; run++)
            {
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                await TimeAsync(measure, ours, ourTimes, cancellationToken);
                if (inProcess)
                {
                    ourTimes.AddAllocated(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
                }
                sampler?.Pause();
                await TimeAsync(measure, sshd, sshdTimes, cancellationToken);
                sampler?.Resume();
            }
            if (sampler is not null)
            {
                Report.Out.WriteLine($"allocation samples, {measure.Name} (k8shell runs):");
                foreach (var (type, bytes) in sampler.Stop().Take(15))
                {
                    Report.Out.WriteLine($"  {bytes / 1024,10} KiB  {type}");
                }
            }
            results.Add(new Comparison(measure.Name, ourTimes, sshdTimes, measure.Mebibytes));
        }
        return results;
    }

    /// <summary>One run of <paramref name="measure"/> on <paramref name="target"/>, timed, with the server's CPU where it can be told.</summary>
    private static async Task TimeAsync(Case measure, SshTarget target, Measurement measurement, CancellationToken cancellationToken)
    {
        var cpuBefore = target.Cpu?.Used();
        measurement.Add(await SshTarget.TimeAsync(measure.CommandLine(target), cancellationToken));
        if (target.Cpu is { } cpu)
        {
            await cpu.SettleAsync(cancellationToken);
            measurement.AddCpu(cpu.Used() - cpuBefore!.Value);
        }
    }

    public static void Print(string title, IReadOnlyList<Comparison> results)
    {
        Report.Out.WriteLine();
        Report.Out.WriteLine(title);
        Report.Out.WriteLine($"{"measure",-40} {"k8shell median (min-max)",-28} {"sshd median (min-max)",-28} ratio");
        foreach (var result in results)
        {
            Report.Out.WriteLine($"{result.Name,-40} {Format(result.Ours, result.Mebibytes),-28} {Format(result.Sshd, result.Mebibytes),-28} " +
                              $"{result.Ratio:F2}x {(result.Throughput ? "speed of sshd" : "time of sshd")}");
        }
        foreach (var result in results.Where(result => result.Throughput && result.Ours.HasCpu && result.Sshd.HasCpu))
        {
            var gibibytes = result.Mebibytes / 1024.0;
            var ours = result.Ours.MedianCpu.TotalSeconds / gibibytes;
            var theirs = result.Sshd.MedianCpu.TotalSeconds / gibibytes;
            Report.Out.WriteLine($"  server CPU per GiB, {result.Name}: k8shell {ours:F2} s, sshd {theirs:F2} s ({ours / theirs:F1}x; the servers' processes and the commands they ran)");
        }
        foreach (var result in results.Where(result => result.Throughput && result.Ours.HasAllocations))
        {
            // OpenSSH sends channel data in 32 KiB packets: 32 per MiB.
            Report.Out.WriteLine($"  k8shell allocations, {result.Name}: {result.Ours.MedianAllocated / (result.Mebibytes * 32.0):F0} bytes per 32 KiB packet (whole process)");
        }
    }

    private static string Format(Measurement measurement, int mebibytes) => mebibytes > 0
        ? $"{mebibytes / measurement.Median.TotalSeconds:F0} MiB/s ({mebibytes / measurement.Max.TotalSeconds:F0}-{mebibytes / measurement.Min.TotalSeconds:F0})"
        : $"{measurement.Median.TotalMilliseconds:F0} ms ({measurement.Min.TotalMilliseconds:F0}-{measurement.Max.TotalMilliseconds:F0})";
}
