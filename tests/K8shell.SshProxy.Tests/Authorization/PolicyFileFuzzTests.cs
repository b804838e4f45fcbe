using System.Text;
using System.Text.RegularExpressions;
using K8shell.SshProxy.Authorization;
using K8shell.Testing.Fuzzing;

namespace K8shell.SshProxy.Tests.Authorization;

/// <summary>
/// Seeded, time-bounded fuzzing (<see cref="FuzzRun"/>) of the rules file loader: the shipped sample and the
/// rules the other policy tests use, mutated line by line (dropped, repeated, swapped, re-indented, YAML syntax
/// inserted) and byte by byte. An operator's typo must give either a rule set that decides, or a
/// <see cref="FormatException"/> naming the file and line (the hot reload logs it and keeps the last good set);
/// any other exception would escape the reload.
/// </summary>
public sealed partial class PolicyFileFuzzTests : IDisposable
{
    private static readonly string[] Seeds =
    [
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Authorization", "policy.sample.yaml")),
        """
        default: allow
        rules:
          - name: admins unrecorded
            subject: {roles: admin, usernames: [alice, "b*"], organization: acme, sudo: true}
            resource: {owner: $subject, blueprint: [dev, "repo-*"]}
            effect: allow
            obligations: {record: none}
          - action: [ssh:agent-forward, "ssh:direct-*"]
            context: {as_user: root, port: ["22", "80?"]}
            effect: deny
            reason: agent forwarding is off
          - action: session:start
            effect: allow
            obligations:
              record: shell,exec
        """,
    ];

    /// <summary>YAML that changes a document's shape: flow collections, anchors and aliases, tags, documents, keys.</summary>
    private static readonly string[] Syntax =
    [
        "[", "]", "{", "}", ",", ":", ": ", "- ", "? ", "&a ", "*a", "<<: *a", "!!str ", "!!binary ", "!!map ", "!custom ", "---\n", "...\n",
        "|\n", ">-\n", "\"", "'", "#", "\t", "~", "null", "true", "rules:", "default:", "effect: allow", "obligations: {record: x}", "\\u0000",
    ];

    private readonly PolicyExamples _examples = new();

    public void Dispose() => _examples.Dispose();

    [Fact]
    public void Mutated_rules_files_load_and_decide_or_fail_with_the_file_and_line()
    {
        var run = FuzzRun.Start("policy file loader", fixedSeed: 20261125);
        var refused = 0;
        while (run.Next())
        {
            var yaml = Mutate(Seeds[run.Random.Next(Seeds.Length)], run.Random);
            var path = _examples.Write(yaml);
            try
            {
                var rules = PolicyFileParser.Parse(path);
                rules.Decide(PolicyExamples.Input("ssh:exec", context: ("command", "make")));
                rules.Decide(PolicyExamples.Input("session:start"));
            }
            catch (FormatException error)
            {
                Assert.True(error.Message.StartsWith(path, StringComparison.Ordinal) && FileAndLine().IsMatch(error.Message[path.Length..]),
                    $"{run}: the error does not name the file and line: {error.Message}\nfile:\n{yaml}");
                refused++;
            }
            catch (Exception unexpected)
            {
                Assert.Fail($"{run}: {unexpected.GetType().Name} from the rules file below\n{unexpected}\nfile:\n{yaml}");
            }
        }

        Assert.True(refused > run.Cases / 20 && refused < run.Cases * 19 / 20, $"{run}: {refused} of {run.Cases} files refused");
    }

    private static string Mutate(string seed, Random random)
    {
        var lines = seed.Split('\n').ToList();
        for (var rounds = random.Next(1, 4); rounds > 0; rounds--)
        {
            var at = random.Next(lines.Count);
            switch (random.Next(6))
            {
                case 0:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(at, lines[random.Next(lines.Count)]);
                    break;
                case 2:
                    (lines[at], lines[^1]) = (lines[^1], lines[at]);
                    break;
                case 3:
                    lines[at] = random.Next(2) == 0 ? "  " + lines[at] : lines[at].TrimStart();
                    break;
                case 4:
                    lines[at] = lines[at].Insert(random.Next(lines[at].Length + 1), Syntax[random.Next(Syntax.Length)]);
                    break;
                default:
                    lines[at] = Encoding.UTF8.GetString(ByteMutations.Mutate(Encoding.UTF8.GetBytes(lines[at]), random));
                    break;
            }
            if (lines.Count == 0)
            {
                lines.Add("");
            }
        }
        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"^:\d+: ")]
    private static partial Regex FileAndLine();
}
