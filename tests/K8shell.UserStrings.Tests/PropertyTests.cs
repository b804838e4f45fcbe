namespace K8shell.UserStrings.Tests;

/// <summary>
/// Seeded property runs over generated field sets: what the builder writes, the parser reads back
/// (parse ∘ build is the identity up to trimming and lower-casing, see <see cref="UserStringGenerator.Expected"/>),
/// and the canonical string is a fixed point that keeps the canonical ID.
/// </summary>
public sealed class PropertyTests
{
    private const int Cases = 5000;

    [Fact]
    public void Parsing_a_built_string_gives_back_its_fields_and_canonical_is_a_fixed_point()
    {
        var random = new Random(Seeds.Seed);
        var generator = new UserStringGenerator(random);
        var checkedCases = 0;
        for (var i = 0; i < Cases; i++)
        {
            var fields = generator.Next();
            var context = $"seed {Seeds.Seed}, case {i}: {fields}";
            string raw;
            try
            {
                raw = fields.Build();
            }
            catch (UserStringException error) when (error.Category == UserStringErrorCategory.TooLong)
            {
                continue; // Long values with many escapes; the limit has its own tests.
            }

            context += $" built {Seeds.Show(raw)}";
            var parsed = UserStringParser.Parse(raw);
            Assert.True(UserStringGenerator.Expected(fields) == Describe.Fields(parsed),
                $"{context}: expected {UserStringGenerator.Expected(fields)}, parsed {Describe.Fields(parsed)}");

            var wrapped = UserStringParser.Parse(fields.BuildBase64());
            Assert.True(parsed == wrapped with { Raw = raw }, $"{context}: the b64- form parsed to {wrapped}");

            var canonical = parsed.Canonical;
            var again = UserStringParser.Parse(canonical);
            Assert.True(canonical == again.Canonical, $"{context}: canonical {Seeds.Show(canonical)} became {Seeds.Show(again.Canonical)}");
            Assert.True(parsed.CanonicalId == again.CanonicalId, $"{context}: id {parsed.CanonicalId} became {again.CanonicalId}");
            Assert.True(Describe.Fields(parsed) == Describe.Fields(again), $"{context}: canonical {Seeds.Show(canonical)} parsed to {Describe.Fields(again)}");

            var rebuilt = parsed.ToBuilder().ToUserString();
            Assert.True(Describe.Fields(parsed) == Describe.Fields(rebuilt), $"{context}: rebuilt as {Describe.Fields(rebuilt)}");
            checkedCases++;
        }

        // The generator must not drift into producing mostly over-long strings.
        Assert.True(checkedCases > Cases * 8 / 10, $"seed {Seeds.Seed}: only {checkedCases} of {Cases} cases fit the length limit");
    }

    [Fact]
    public void Resolving_an_implicit_string_gives_what_naming_the_blueprint_gives()
    {
        var random = new Random(Seeds.Seed);
        var generator = new UserStringGenerator(random);
        for (var i = 0; i < Cases; i++)
        {
            var fields = generator.Next() with { Blueprint = null, RepoOwner = null, RepoName = null, Ref = null, Pod = null, Namespace = null, WorkloadKind = null, WorkloadName = null, AsUser = null };
            var blueprint = (generator.Next() with { Username = "x" }).Blueprint ?? "dev";
            var context = $"seed {Seeds.Seed}, case {i}: {fields.Username} resolved to {Seeds.Show(blueprint)}";

            UserString resolved;
            try
            {
                resolved = UserStringParser.Parse(fields.Build()).WithBlueprint(blueprint);
            }
            catch (UserStringException error) when (error.Category == UserStringErrorCategory.TooLong)
            {
                continue;
            }

            var named = UserStringParser.Parse(resolved.Canonical);
            Assert.True(named.CanonicalId == resolved.CanonicalId, $"{context}: {named.CanonicalId} != {resolved.CanonicalId}");
            Assert.True(named.Blueprint == blueprint.Trim(), $"{context}: named {Seeds.Show(named.Blueprint ?? "")}");
        }
    }
}
