using K8shell.Bench;

// bench/run.sh: prints a table of medians, ranges and ratios against sshd (BENCH_ALLOCATIONS=1 adds sampled allocation profiles).
var runs = int.TryParse(Environment.GetEnvironmentVariable("BENCH_RUNS"), out var r) ? r : 5;
var mebibytes = int.TryParse(Environment.GetEnvironmentVariable("BENCH_MIB"), out var m) ? m : 1024;
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(30));
var directory = Directory.CreateTempSubdirectory("k8shell-bench-").FullName;
try
{
    Console.WriteLine($"K8shell.Ssh test host vs OpenSSH sshd on this machine: {runs} alternating runs each, {Environment.ProcessorCount} cores");
    using var sampler = AllocationSampler.FromEnvironment();
    var results = await new SshLibraryBenchmark(directory, runs, mebibytes, sampler).RunAsync(stop.Token);
    Console.WriteLine();
    Console.WriteLine($"{"measure",-38} {"k8shell median (min-max)",-28} {"sshd median (min-max)",-28} ratio");
    foreach (var (name, ours, sshd, throughput) in results)
    {
        // Throughput: how many times sshd's speed we reach (≥ 1.0 wins). Setup: how many times sshd's time we take (≤ 1.2 meets the target).
        var ratio = throughput ? sshd.Median / ours.Median : ours.Median / sshd.Median;
        Console.WriteLine($"{name,-38} {Format(ours, throughput ? mebibytes : 0),-28} {Format(sshd, throughput ? mebibytes : 0),-28} " +
                          $"{ratio:F2}x {(throughput ? "speed of sshd" : "time of sshd")}");
    }
    Console.WriteLine();
    foreach (var (name, ours, _, throughput) in results.Where(result => result.Throughput))
    {
        // OpenSSH sends channel data in 32 KiB packets: 32 per MiB.
        Console.WriteLine($"k8shell allocations, {name}: {ours.MedianAllocated / (mebibytes * 32.0):F0} bytes per 32 KiB packet (whole process)");
    }
}
finally
{
    Directory.Delete(directory, recursive: true);
}

static string Format(Measurement measurement, int mebibytes) => mebibytes > 0
    ? $"{mebibytes / measurement.Median.TotalSeconds:F0} MiB/s ({mebibytes / measurement.Max.TotalSeconds:F0}-{mebibytes / measurement.Min.TotalSeconds:F0})"
    : $"{measurement.Median.TotalMilliseconds:F0} ms ({measurement.Min.TotalMilliseconds:F0}-{measurement.Max.TotalMilliseconds:F0})";
