using System.Globalization;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// An SSH_ASKPASS program for the real ssh: with SSH_ASKPASS_REQUIRE=force and DISPLAY set, OpenSSH (≥ 8.4) runs it
/// for every password and keyboard-interactive prompt, the prompt's text as its argument, and sends what it prints;
/// no terminal needed. Every prompt it was shown is kept in <see cref="Prompts"/>.
/// </summary>
public sealed class Askpass : IDisposable
{
    private const string EndOfPrompt = "=== end of prompt ===";

    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-askpass-").FullName;

    private Askpass(Func<string, string> action)
    {
        var script = Path.Combine(_directory, "askpass.sh");
        File.WriteAllText(script, $"""
            #!/bin/sh
            printf '%s\n{EndOfPrompt}\n' "$1" >> '{_directory}/prompts'
            calls=$(( $(cat '{_directory}/calls' 2>/dev/null || echo 0) + 1 ))
            echo "$calls" > '{_directory}/calls'
            {action(_directory)}
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Environment = new Dictionary<string, string> { ["SSH_ASKPASS"] = script, ["SSH_ASKPASS_REQUIRE"] = "force", ["DISPLAY"] = ":0" };
    }

    /// <summary>For ssh's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The prompts ssh showed, in order.</summary>
    public IReadOnlyList<string> Prompts => File.Exists(Path.Combine(_directory, "prompts"))
        ? File.ReadAllText(Path.Combine(_directory, "prompts")).Split(EndOfPrompt + "\n", StringSplitOptions.RemoveEmptyEntries)
        : [];

    /// <summary>What the onboarding person's curl said (empty when all went well).</summary>
    public string BrowserLog => File.Exists(Path.Combine(_directory, "browser.log")) ? File.ReadAllText(Path.Combine(_directory, "browser.log")) : "";

    /// <summary>Answers every prompt with <paramref name="answer"/>, as a person typing a password.</summary>
    public static Askpass Answering(string answer) => new(_ => $"printf '%s\\n' '{answer.Replace("'", "'\\''")}'");

    /// <summary>
    /// The person onboarding: reads the verification address and code from the prompt, goes there and signs in as
    /// <paramref name="login"/> to approve (or denies), then presses Enter. From the <paramref name="decideOnCall"/>th
    /// prompt on: before it, they press Enter without having done anything yet.
    /// </summary>
    public static Askpass Onboarding(string login, bool deny = false, int decideOnCall = 1) => new(directory => $$"""
        if [ "$calls" -ge {{decideOnCall.ToString(CultureInfo.InvariantCulture)}} ]; then
          uri=$(printf '%s' "$1" | grep -o 'http://[^ ]*/login/device' | head -n 1)
          code=$(printf '%s' "$1" | grep -o '[0-9A-F]\{4\}-[0-9A-F]\{4\}' | head -n 1)
          curl -fsS --max-time 20 -d "user_code=$code" -d 'login={{login}}' -d 'decision={{(deny ? "deny" : "approve")}}' "$uri" >> '{{directory}}/browser.log' 2>&1
        fi
        echo
        """);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
