namespace K8shell.Sessions.Tests;

/// <summary>
/// Debian's Chromium, headless, loading one page in a fresh profile. Virtual time runs the page's timers
/// (the player's playback) to the end of the budget at once, so a replay finishes without real waiting.
/// The flags keep Chromium off the network it would otherwise call home on (closed here, and no business of a
/// test) and allow running as root, as CI does, without the sandbox.
/// </summary>
internal static class HeadlessChromium
{
    private const string Program = "/usr/bin/chromium";
    private const int VirtualTimeBudgetMs = 15_000;

    /// <summary>The page's DOM once its scripts have run.</summary>
    public static async Task<string> DumpDomAsync(Uri page, CancellationToken cancellationToken)
    {
        var result = await RunAsync(page, ["--dump-dom"], cancellationToken);
        return result.Text;
    }

    /// <summary>Writes a PNG of the page as a 1280×900 window shows it.</summary>
    public static async Task ScreenshotAsync(Uri page, string pngFile, CancellationToken cancellationToken)
    {
        await RunAsync(page, [$"--screenshot={pngFile}", "--window-size=1280,900", "--hide-scrollbars"], cancellationToken);
        Assert.True(File.Exists(pngFile), $"chromium wrote no screenshot to {pngFile}");
    }

    private static async Task<Programs.Result> RunAsync(Uri page, string[] action, CancellationToken cancellationToken)
    {
        using var profile = new ScratchFolder();
        string[] arguments =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            $"--user-data-dir={profile.Path}", $"--virtual-time-budget={VirtualTimeBudgetMs}",
            .. action, page.AbsoluteUri,
        ];
        var result = await Programs.RunAsync(Program, arguments, null, cancellationToken);
        Assert.True(result.ExitCode == 0, $"chromium exited {result.ExitCode}:\n{result.Errors}");
        return result;
    }
}
