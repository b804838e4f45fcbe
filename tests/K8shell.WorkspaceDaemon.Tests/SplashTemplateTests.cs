using K8shell.WorkspaceDaemon.Processes;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>The splash's Go-template fields (reference §7) filled in; everything else left as the blueprint wrote it.</summary>
public sealed class SplashTemplateTests
{
    private static readonly SplashTemplate.Fields Fields =
        new("1.2.3", "abc1234", "alice", "dev", "ws-host", new DateTimeOffset(2026, 11, 24, 9, 5, 7, TimeSpan.Zero));

    [Theory]
    [InlineData("Welcome, {{.Username}}.", "Welcome, alice.")]
    [InlineData("{{.ShellUsername}}@{{.Hostname}} k8shelld {{.Version}} ({{.Commit}})", "dev@ws-host k8shelld 1.2.3 (abc1234)")]
    [InlineData("{{ .Username }} and {{- .Username -}}", "alice and alice")]
    [InlineData("started {{.Date}}", "started 2026-11-24 09:05:07 +00:00")]
    [InlineData("{{.Nobody}} {{Username}} {.Username}", "{{.Nobody}} {{Username}} {.Username}")]
    [InlineData("no fields at all\nsecond line", "no fields at all\nsecond line")]
    public void Known_fields_are_filled_in_and_the_rest_stays_as_written(string template, string expected) =>
        Assert.Equal(expected, SplashTemplate.Render(template, Fields));
}
