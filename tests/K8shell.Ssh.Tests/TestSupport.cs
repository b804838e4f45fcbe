using K8shell.Testing;

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
        var (_, authorizedKey) = await SshKeys.GenerateAsync(path, type, bits, cancellationToken: cancellationToken);
        return (path, authorizedKey);
    }
}
