namespace K8shell.Testing;

/// <summary>What Debian's ssh-audit (2.5) reports against a K8shell SSH endpoint, judged as the project judges it.</summary>
public static class SshAuditReport
{
    /// <summary>Runs <c>ssh-audit -n</c> against 127.0.0.1:<paramref name="port"/>; its whole report.</summary>
    public static async Task<string> RunAsync(int port, CancellationToken cancellationToken)
    {
        var (_, output, errors) = await Programs.RunAsync("ssh-audit", ["-n", "-p", port.ToString(), "127.0.0.1"], cancellationToken: cancellationToken);
        return output + errors;
    }

    /// <summary>
    /// Its failures and warnings, but those that only say ssh-audit is older than our algorithms: 2.5 predates strict
    /// kex, ML-KEM and sntrup761's IETF name ("unknown algorithm") and still calls sntrup761x25519@openssh.com,
    /// OpenSSH's default since 9.0, "experimental". Those are allowed, by name.
    /// </summary>
    public static List<string> Findings(string report)
    {
        string[] newerThanAudit = ["kex-strict-s-v00@openssh.com", "mlkem768x25519-sha256", "sntrup761x25519-sha512 "];
        return [.. report.Split('\n')
            .Where(line => line.Contains("-- [fail]") || line.Contains("-- [warn]"))
            .Where(line => !(newerThanAudit.Any(line.Contains) && line.Contains("[warn] unknown algorithm")))
            .Where(line => !(line.Contains("sntrup761x25519-sha512@openssh.com") && line.Contains("[warn] using experimental algorithm")))];
    }
}
