using K8shell.Testing;

namespace K8shell.WorkspaceDaemon.Tests;

internal static class Tools
{
    /// <summary>Who owns <paramref name="path"/>: <paramref name="format"/> %U for the name, %u for the id.</summary>
    public static async Task<string> OwnerAsync(string path, string format = "%U") =>
        (await Programs.RunToSuccessAsync("stat", ["-c", format, path], cancellationToken: TestContext.Current.CancellationToken)).Trim();
}
