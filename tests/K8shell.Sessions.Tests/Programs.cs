using System.Diagnostics;

namespace K8shell.Sessions.Tests;

/// <summary>Runs the real readers the recordings are written for and hands back exactly what they printed.</summary>
internal static class Programs
{
    public sealed record Result(int ExitCode, byte[] Output, string Errors)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Output);
    }

    public static async Task<Result> RunAsync(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{fileName} did not start");
        process.StandardInput.Close();
        using var output = new MemoryStream();
        var copied = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', startInfo.ArgumentList)} did not finish within a minute");
        }
        await copied;
        return new Result(process.ExitCode, output.ToArray(), await errors);
    }

    /// <summary>
    /// <c>asciinema cat</c>: the output bytes of a recording as a terminal would get them. It opens /dev/tty, which
    /// CI has none of, so it runs inside <c>script</c>'s pseudo-terminal with its own output sent to a file.
    /// </summary>
    public static async Task<Result> AsciinemaCatAsync(string castPath, CancellationToken cancellationToken)
    {
        var output = castPath + ".out";
        var result = await RunAsync(
            "script",
            ["--quiet", "--return", "--command", "asciinema cat \"$CAST\" > \"$OUT\"", "/dev/null"],
            new Dictionary<string, string> { ["CAST"] = castPath, ["OUT"] = output, ["PYTHONIOENCODING"] = "utf-8" },
            cancellationToken);
        var printed = File.Exists(output) ? await File.ReadAllBytesAsync(output, cancellationToken) : [];
        File.Delete(output);
        return result with { Output = printed };
    }

    /// <summary>
    /// <c>tshark -r</c> with IPv4 and TCP checksum validation on, one line per packet with the given fields
    /// (tab-separated, empty where a packet lacks one). Payloads to and from <paramref name="dataPorts"/> are
    /// decoded as plain data: the tests send random bytes, which SSH's or PostgreSQL's dissector would rightly
    /// call malformed, and what is under test is the framing below them.
    /// </summary>
    public static async Task<string[][]> TsharkFieldsAsync(string pcapPath, IEnumerable<int> dataPorts, IEnumerable<string> fields, CancellationToken cancellationToken)
    {
        List<string> arguments = ["-r", pcapPath, "-n", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|"];
        foreach (var port in dataPorts)
        {
            arguments.Add("-d");
            arguments.Add($"tcp.port=={port},data");
        }
        foreach (var field in fields)
        {
            arguments.Add("-e");
            arguments.Add(field);
        }
        var result = await RunAsync("tshark", arguments, null, cancellationToken);
        Assert.True(result.ExitCode == 0, $"tshark -r {pcapPath} failed ({result.ExitCode}): {result.Errors}");
        Assert.DoesNotContain("appears to have been cut short", result.Errors, StringComparison.Ordinal);
        return result.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToArray();
    }
}
