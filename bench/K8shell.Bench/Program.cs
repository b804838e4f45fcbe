using System.Runtime.InteropServices;
using K8shell.Bench;
using K8shell.Bench.Transport;

// bench/run.sh: the comparisons against OpenSSH's sshd, each printed as a table of medians, ranges and ratios.
// BENCH_PARTS picks some of: library, load, stack, provisioning, transport (default: all, in that order).
if (args is [TransportServer.Command])
{
    await TransportServer.RunAsync();
    return;
}
var runs = Setting("BENCH_RUNS", 5);
var mebibytes = Setting("BENCH_MIB", 1024);
var sessions = Setting("BENCH_SESSIONS", 500);
var keystrokes = Setting("BENCH_KEYSTROKES", 10);
var parts = (Environment.GetEnvironmentVariable("BENCH_PARTS") ?? "library,load,stack,provisioning,transport").Split(',', StringSplitOptions.TrimEntries);
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(40));
var cancellation = stop.Token;
// Ctrl+C or timeout's SIGTERM ends the measure under way and unwinds through the disposals below: the stack's
// services run in sessions of their own and would outlive this process, workspaces and all.
using var interrupted = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminated = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var directory = Directory.CreateTempSubdirectory("k8shell-bench-").FullName;
try
{
    var stackLog = Report.RedirectConsole();
    Report.Out.WriteLine($"K8shell vs OpenSSH sshd on this machine ({Environment.ProcessorCount} cores): {runs} alternating runs per measure, {mebibytes} MiB per transfer");
    var keys = await BenchKeys.CreateAsync(directory, cancellation);
    using var sshd = await Sshd.StartAsync(directory, keys.HostKey, keys.AuthorizedKey, cancellation);
    if (parts.Contains("library"))
    {
        using var sampler = AllocationSampler.FromEnvironment();
        PairedRuns.Print("K8shell.Ssh alone (its test host in this process) vs sshd",
            await new SshLibraryBenchmark(keys, sshd, runs, mebibytes, sampler).RunAsync(cancellation));
    }
    if (parts.Intersect(["stack", "load", "provisioning"]).Any())
    {
        Report.Out.WriteLine();
        Report.Out.WriteLine($"starting the stack (Release, Process backend; its logs: {stackLog})…");
        await using var stack = await StackUnderTest.StartAsync(keys, cancellation);
        // Load first: its memory per session is measured on a proxy whose heap has not grown for the transfers.
        if (parts.Contains("load"))
        {
            var load = new LoadBenchmark(sessions, keystrokes);
            Report.Out.WriteLine();
            Report.Out.WriteLine($"{sessions} concurrent interactive sessions, {keystrokes} keys each about a second apart, echo timed:");
            LoadBenchmark.Print(
            [
                await load.RunAsync(stack.Target(keys), () => [stack.ProxyProcessId], cancellation),
                await load.RunAsync(keys.Sshd(sshd), () => ProcessStats.TreeNamed(sshd.ProcessId, "sshd"), cancellation),
            ]);
        }
        if (parts.Contains("stack"))
        {
            PairedRuns.Print("the full stack (proxy, gRPC, k8shelld; a running workspace) vs sshd",
                await new StackBenchmark(keys, sshd, stack, directory, runs, mebibytes).RunAsync(cancellation));
        }
        if (parts.Contains("provisioning"))
        {
            ProvisioningBenchmark.Print(await new ProvisioningBenchmark(keys, sshd, stack, runs).RunAsync(cancellation));
        }
    }
    if (parts.Contains("transport"))
    {
        await new TransportBenchmark(runs, mebibytes).RunAsync(cancellation);
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Report.Out.WriteLine("bench: stopped (a signal, or the 40-minute limit); the stack and sshd are stopped too");
    Environment.ExitCode = 130;
}
finally
{
    Directory.Delete(directory, recursive: true);
}

void Stop(PosixSignalContext signal)
{
    signal.Cancel = true;
    stop.Cancel();
}

static int Setting(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;
