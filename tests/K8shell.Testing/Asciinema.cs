namespace K8shell.Testing;

/// <summary>Debian's asciinema, the reader recordings are made for.</summary>
public static class Asciinema
{
    /// <summary>
    /// <c>asciinema cat</c>: the output bytes as a terminal gets them. It opens /dev/tty, which CI has none of, so it
    /// runs inside <c>script</c>'s pseudo-terminal with its own output sent to a file.
    /// </summary>
    public static async Task<byte[]> CatAsync(string castPath, CancellationToken cancellationToken)
    {
        var output = castPath + ".out";
        var (exitCode, _, errors) = await Programs.RunAsync("script", ["--quiet", "--return", "--command", "asciinema cat \"$CAST\" > \"$OUT\"", "/dev/null"],
            new Dictionary<string, string> { ["CAST"] = castPath, ["OUT"] = output, ["PYTHONIOENCODING"] = "utf-8" }, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"asciinema cat {castPath} failed ({exitCode}): {errors}");
        }
        var printed = await File.ReadAllBytesAsync(output, cancellationToken);
        File.Delete(output);
        return printed;
    }
}
