namespace K8shell.Bench;

/// <summary>One measure taken on K8shell and on sshd; throughput measures move <see cref="Mebibytes"/> per run.</summary>
internal sealed record Comparison(string Name, Measurement Ours, Measurement Sshd, int Mebibytes = 0)
{
    public bool Throughput => Mebibytes > 0;

    /// <summary>Throughput: how many times sshd's speed we reach (≥ 1.0 wins). Time: how many times sshd's time we take.</summary>
    public double Ratio => Throughput ? Sshd.Median / Ours.Median : Ours.Median / Sshd.Median;
}

/// <summary>A measure as a command line per server.</summary>
internal sealed record Case(string Name, Func<SshTarget, string> CommandLine, int Mebibytes = 0);
