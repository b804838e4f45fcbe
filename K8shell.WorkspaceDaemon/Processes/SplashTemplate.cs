using System.Globalization;
using System.Text.RegularExpressions;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>
/// A blueprint's splash is a Go template in the reference (§7: <c>{{.Version}} {{.Commit}} {{.Username}}
/// {{.ShellUsername}} {{.Hostname}} {{.Date}}</c>). Only those fields exist, so a substitution is the whole engine:
/// a known field is replaced, anything else stays as written, so a typo shows rather than vanishing.
/// </summary>
public static partial class SplashTemplate
{
    /// <summary>What the fields stand for at one shell's start.</summary>
    public sealed record Fields(string Version, string Commit, string Username, string ShellUsername, string Hostname, DateTimeOffset Date);

    public static string Render(string template, Fields fields) => Field().Replace(template, field => field.Groups["name"].Value switch
    {
        "Version" => fields.Version,
        "Commit" => fields.Commit,
        "Username" => fields.Username,
        "ShellUsername" => fields.ShellUsername,
        "Hostname" => fields.Hostname,
        "Date" => fields.Date.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture),
        _ => field.Value,
    });

    /// <summary><c>{{.Name}}</c>, with the spaces and trim markers Go allows: <c>{{- .Name -}}</c>.</summary>
    [GeneratedRegex(@"\{\{-?\s*\.(?<name>[A-Za-z]+)\s*-?\}\}")]
    private static partial Regex Field();
}
