using System.Diagnostics;

namespace K8shell.Ssh.Tests;

/// <summary>A per-test deadline: a peer that stops talking fails the test instead of hanging the run.</summary>
internal static class TestDeadline
{
    public static CancellationTokenSource Create(TimeSpan limit)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(limit);
        return deadline;
    }
}

/// <summary>Client key pairs made by Debian's ssh-keygen, as users have them.</summary>
internal static class UserKeys
{
    /// <summary>Creates (or reuses) <c>id_&lt;type&gt;&lt;bits&gt;</c> in <paramref name="directory"/>; returns its path and authorized_keys form.</summary>
    public static async Task<(string KeyFile, string AuthorizedKey)> GenerateAsync(string directory, string type, string? bits, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, $"id_{type}{bits}");
        if (!File.Exists(path))
        {
            string[] arguments = ["-q", "-t", type, .. bits is null ? Array.Empty<string>() : ["-b", bits], "-N", "", "-f", path];
            using var keygen = Process.Start("ssh-keygen", arguments)!;
            await keygen.WaitForExitAsync(cancellationToken);
        }
        var publicKey = File.ReadAllText(path + ".pub").Split(' ');
        return (path, $"{publicKey[0]} {publicKey[1]}");
    }
}
