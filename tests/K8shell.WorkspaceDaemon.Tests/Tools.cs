using System.Diagnostics;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>The system's own tools (useradd, openssl, ssh-keygen, stat), run the way the tests need them.</summary>
internal static class Tools
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Runs <paramref name="program"/> to success and returns its output; a failure shows its stderr.</summary>
    public static Task<string> RunAsync(string program, params string[] arguments) => RunAsync(program, new Dictionary<string, string>(), arguments);

    public static async Task<string> RunAsync(string program, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync(Cancellation);
        var errors = process.StandardError.ReadToEndAsync(Cancellation);
        await process.WaitForExitAsync(Cancellation);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {await errors}");
        return await output;
    }

    /// <summary>Who owns <paramref name="path"/>: <paramref name="format"/> %U for the name, %u for the id.</summary>
    public static async Task<string> OwnerAsync(string path, string format = "%U") => (await RunAsync("stat", "-c", format, path)).Trim();
}
