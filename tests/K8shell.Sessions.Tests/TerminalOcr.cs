namespace K8shell.Sessions.Tests;

/// <summary>
/// Reads the text a screenshot shows with Debian's Tesseract: proof that a replayed terminal is on screen,
/// not only somewhere in the page's DOM (the player paints its terminal on a canvas and in SVG).
/// </summary>
internal static class TerminalOcr
{
    public static async Task<string> ReadAsync(string pngFile, CancellationToken cancellationToken)
    {
        // "-" writes the text to stdout; --psm 3 (automatic page segmentation) finds the terminal's lines among the page's.
        var result = await Programs.RunAsync("/usr/bin/tesseract", [pngFile, "-", "--psm", "3"], null, cancellationToken);
        Assert.True(result.ExitCode == 0, $"tesseract exited {result.ExitCode}:\n{result.Errors}");
        return result.Text;
    }
}
