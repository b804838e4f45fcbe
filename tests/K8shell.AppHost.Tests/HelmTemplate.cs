using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace K8shell.AppHost.Tests;

/// <summary>
/// Renders chart templates without Helm, for exactly the subset the publisher may use: <c>{{ .Values.a.b }}</c>,
/// <c>{{ .Release.Name }}</c>, <c>{{ .Release.Namespace }}</c>, an optional leading <c>required "message"</c>, and
/// the pipes <c>quote</c> and <c>b64enc</c>. Anything else — another function, a control structure, whitespace
/// trimming, a value that is not there — is a <see cref="HelmTemplateException"/>, so a template the chart
/// starts to need Helm for fails here first. <c>quote</c> escapes as Go's <c>%q</c> does for text.
/// </summary>
internal static partial class HelmTemplate
{
    private static readonly JsonSerializerOptions GoQuoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Render(string template, JsonObject values, string releaseName, string releaseNamespace)
    {
        var rendered = Action().Replace(template, match => Evaluate(match.Groups["pipeline"].Value, values, releaseName, releaseNamespace));
        if (rendered.Contains("{{", StringComparison.Ordinal) || rendered.Contains("}}", StringComparison.Ordinal))
        {
            throw new HelmTemplateException($"an action the renderer did not take: {rendered[Math.Max(0, rendered.IndexOf("{{", StringComparison.Ordinal))..].Split('\n')[0]}");
        }
        return rendered;
    }

    private static string Evaluate(string pipeline, JsonObject values, string releaseName, string releaseNamespace)
    {
        var commands = pipeline.Split('|').Select(command => command.Trim()).ToList();
        var head = RequiredCall().Match(commands[0]);
        var reference = head.Success ? head.Groups["reference"].Value : commands[0];
        var value = reference switch
        {
            ".Release.Name" => releaseName,
            ".Release.Namespace" => releaseNamespace,
            _ when ValuesReference().IsMatch(reference) => Lookup(values, reference),
            _ => throw new HelmTemplateException($"'{pipeline}' is outside the subset (not a value, release field or required)"),
        };
        if (head.Success && value.Length == 0)
        {
            throw new HelmTemplateException($"required: {head.Groups["message"].Value}");
        }
        foreach (var function in commands.Skip(1))
        {
            value = function switch
            {
                "quote" => JsonSerializer.Serialize(value, GoQuoting),
                "b64enc" => Convert.ToBase64String(Encoding.UTF8.GetBytes(value)),
                _ => throw new HelmTemplateException($"'{function}' in '{pipeline}' is outside the subset (quote, b64enc)"),
            };
        }
        return value;
    }

    private static string Lookup(JsonObject values, string reference)
    {
        JsonNode? node = values;
        foreach (var key in reference.Split('.', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            node = node is JsonObject map && map.TryGetPropertyValue(key, out var next)
                ? next
                : throw new HelmTemplateException($"{reference}: values have no '{key}'");
        }
        return node switch
        {
            JsonValue scalar when scalar.TryGetValue<string>(out var text) => text,
            JsonValue scalar when scalar.TryGetValue<bool>(out var flag) => flag ? "true" : "false",
            JsonValue scalar when scalar.TryGetValue<double>(out var number) => number.ToString(CultureInfo.InvariantCulture),
            null => "",
            _ => throw new HelmTemplateException($"{reference} is a map or a list, not a value"),
        };
    }

    // {{- and -}} are matched as actions too (the '-' is not a value), so trimming fails as outside the subset.
    [GeneratedRegex(@"\{\{(?<pipeline>.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"^required ""(?<message>[^""\\]*)"" (?<reference>\S+)$")]
    private static partial Regex RequiredCall();

    [GeneratedRegex(@"^\.Values(\.[A-Za-z_][A-Za-z0-9_]*)+$")]
    private static partial Regex ValuesReference();
}

internal sealed class HelmTemplateException(string message) : Exception(message);
