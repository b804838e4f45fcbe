namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>How a child ended: an exit code, or the signal that killed it.</summary>
public sealed record ProcessExitStatus(int? ExitCode, int? Signal, bool CoreDumped)
{
    /// <summary>Decodes a waitpid status (WIFEXITED / WIFSIGNALED / WCOREDUMP).</summary>
    public static ProcessExitStatus FromWaitStatus(int status)
    {
        var signal = status & 0x7f;
        return signal == 0
            ? new ProcessExitStatus((status >> 8) & 0xff, null, false)
            : new ProcessExitStatus(null, signal, (status & 0x80) != 0);
    }

    /// <summary>For logs: "exit 7", "signal SEGV, core dumped".</summary>
    public override string ToString() =>
        Signal is { } signal ? $"signal {SignalNames.ToName(signal)}{(CoreDumped ? ", core dumped" : "")}" : $"exit {ExitCode}";
}
