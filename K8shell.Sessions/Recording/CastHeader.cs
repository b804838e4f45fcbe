using System.Text.Encodings.Web;
using System.Text.Json;

namespace K8shell.Sessions.Recording;

/// <summary>What the first line of an asciinema v2 recording says about the terminal and the session.</summary>
internal sealed record CastHeader(int Width, int Height, DateTimeOffset StartedAt)
{
    /// <summary>Largest terminal side accepted; real terminals stay far below it.</summary>
    public const int MaxSide = 10_000;

    /// <summary>Recording output is not HTML: keep non-ASCII text readable in the file.</summary>
    internal static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string? Term { get; init; }

    public string? Shell { get; init; }

    public string? Title { get; init; }

    /// <summary>The exec command, for the header's <c>command</c> field.</summary>
    public string? Command { get; init; }

    /// <summary>Keystrokes become "i" events; off, input is dropped even if the caller sends it (it may hold passwords).</summary>
    public bool RecordInput { get; init; }

    /// <summary>The header line, newline included.</summary>
    public byte[] ToJsonLine()
    {
        CheckSize(Width, Height);
        using var bytes = new MemoryStream();
        using (var json = new Utf8JsonWriter(bytes, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 2);
            json.WriteNumber("width", Width);
            json.WriteNumber("height", Height);
            json.WriteNumber("timestamp", StartedAt.ToUnixTimeSeconds());
            if (!string.IsNullOrEmpty(Command))
            {
                json.WriteString("command", Command);
            }
            if (!string.IsNullOrEmpty(Title))
            {
                json.WriteString("title", Title);
            }
            if (!string.IsNullOrEmpty(Term) || !string.IsNullOrEmpty(Shell))
            {
                json.WriteStartObject("env");
                if (!string.IsNullOrEmpty(Term))
                {
                    json.WriteString("TERM", Term);
                }
                if (!string.IsNullOrEmpty(Shell))
                {
                    json.WriteString("SHELL", Shell);
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        bytes.WriteByte((byte)'\n');
        return bytes.ToArray();
    }

    /// <summary>ArgumentOutOfRangeException unless both sides are between 1 and <see cref="MaxSide"/>.</summary>
    public static void CheckSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, MaxSide);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, MaxSide);
    }
}
