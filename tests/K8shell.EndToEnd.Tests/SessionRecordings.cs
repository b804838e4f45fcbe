using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>The recordings Sessions wrote in a stack: <c>&lt;data&gt;/sessions/recordings/&lt;user&gt;/&lt;kind&gt;/&lt;id&gt;.cast</c> (SPEC.md §5).</summary>
public static class SessionRecordings
{
    /// <summary>The .cast file of <paramref name="stack"/>'s developer that contains <paramref name="text"/>, once Sessions wrote it (within <paramref name="timeout"/>).</summary>
    public static async Task<string> CastShowingAsync(AppHostStack stack, string text, TimeSpan timeout)
    {
        var recordings = Path.Combine(stack.DataDirectory, "sessions", "recordings", stack.User);
        string? recording = null;
        Assert.True(await Eventually.WaitAsync(() =>
        {
            recording = Directory.Exists(recordings)
                ? Directory.EnumerateFiles(recordings, "*.cast", SearchOption.AllDirectories).FirstOrDefault(file => File.ReadAllText(file).Contains(text))
                : null;
            return recording is not null;
        }, timeout, TestContext.Current.CancellationToken), $"no recording under {recordings} shows {text}");
        return recording!;
    }
}
