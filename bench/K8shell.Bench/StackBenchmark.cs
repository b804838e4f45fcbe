namespace K8shell.Bench;

/// <summary>
/// The full stack (proxy → k8shelld over gRPC, Process backend) against sshd, to a running workspace: connection
/// setup, `ssh … cat` both ways, and scp (SFTP protocol, as OpenSSH 9 uses by default) of a file both ways.
/// </summary>
internal sealed class StackBenchmark(BenchKeys keys, Sshd sshd, StackUnderTest stack, string directory, int runs, int mebibytes)
{
    private const int WarmUpMebibytes = 512;

    public async Task<IReadOnlyList<Comparison>> RunAsync(CancellationToken cancellationToken)
    {
        var ours = stack.Target(keys);
        // The first login provisions the workspace; the measures are of a running one.
        await SshTarget.TimeAsync(ours.Ssh("true"), cancellationToken);
        // Process workspaces share this machine's file system, so both servers read the same file.
        var file = Path.Combine(directory, "payload");
        await SshTarget.TimeAsync($"head -c {mebibytes}M /dev/urandom > {file}", cancellationToken);
        // A gateway runs for days: its data path is measured once the runtime compiled it for speed (tiered
        // JIT), not on the first transfers after the stack started. sshd's C needs no such warm-up.
        await SshTarget.TimeAsync($"{ours.Ssh($"head -c {WarmUpMebibytes}M /dev/zero")} > /dev/null", cancellationToken);
        await SshTarget.TimeAsync($"head -c {WarmUpMebibytes}M /dev/zero | {ours.Ssh("cat > /dev/null")}", cancellationToken);
        Case[] cases =
        [
            new("connection setup (ssh true)", target => target.Ssh("true")),
            new($"download {mebibytes} MiB (head /dev/zero)", target => $"{target.Ssh($"head -c {mebibytes}M /dev/zero")} > /dev/null", mebibytes),
            new($"upload {mebibytes} MiB (cat > /dev/null)", target => $"head -c {mebibytes}M /dev/zero | {target.Ssh("cat > /dev/null")}", mebibytes),
            new($"scp download {mebibytes} MiB", target => target.Scp($":{file}", "/dev/null"), mebibytes),
            new($"scp upload {mebibytes} MiB", target => target.Scp(file, ":/dev/null"), mebibytes),
        ];
        return await PairedRuns.RunAsync(cases, ours, keys.Sshd(sshd), runs, cancellationToken);
    }
}
