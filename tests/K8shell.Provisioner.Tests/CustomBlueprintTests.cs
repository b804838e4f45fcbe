using System.Text;
using K8shell.Provisioner.Blueprints;

namespace K8shell.Provisioner.Tests;

/// <summary>
/// A repository's <c>.k8shell.yaml</c>: read strictly with only the fields a repository may set, then put on its
/// template by the platform's merge rules (template → concrete → custom) and read as strictly as a platform blueprint.
/// </summary>
public sealed class CustomBlueprintTests : IDisposable
{
    private const string File = "acme/portal/.k8shell.yaml";

    private readonly BlueprintFiles _files = new();
    private readonly BlueprintSet _set;

    public CustomBlueprintTests()
    {
        _files.Write("test.yaml", ProvisionerFixture.BlueprintsYaml + """

              - name: bare
                isTemplate: true
            """);
        _set = BlueprintSet.Load(_files.Directory);
    }

    [Fact]
    public void The_repository_layer_goes_on_its_template_and_its_template_chain()
    {
        var custom = Read("""
            blueprint:
              template: dev
              image: registry.example.test/acme/portal-dev:1
              env:
                FROM_REPO: portal
              resources: {memory: 2Gi}
              network: {networkPolicyClass: isolated, allowEgressToCIDRs: [10.1.0.0/16]}
              storages:
                cache: {type: emptyDir, path: /cache, sizeLimit: 1Gi}
              initScripts:
                - name: repo
                  script: make setup
            """);

        var composed = _set.Compose(custom, "repo-acme-portal");

        Assert.Equal(("repo-acme-portal", "dev", false, File), (composed.Name, composed.Template, composed.IsTemplate, composed.File));
        Assert.Equal(("registry.example.test/acme/portal-dev:1", "Welcome to dev"), (composed.Image, composed.Splash));
        Assert.Equal(new Dictionary<string, string> { ["FROM_BLUEPRINT"] = "base-value", ["FROM_REPO"] = "portal" }, composed.Env);
        Assert.Equal(["mark", "repo"], composed.InitScripts.Select(script => script.Name));
        Assert.Equal(new ResourceLimits("500m", "2Gi"), composed.Resources);
        Assert.Equal(("isolated", "10.1.0.0/16"), (composed.Network.PolicyClass, string.Join(',', composed.Network.AllowEgressToCidrs)));
        Assert.Equal(new Storage("emptyDir", "/cache", SizeLimit: "1Gi"), composed.Storages["cache"]);
        // The platform blueprint it builds on is not changed by it.
        Assert.Equal("debian:bookworm", _set.Find("dev")!.Image);
        Assert.Equal(["mark"], _set.Find("dev")!.InitScripts.Select(script => script.Name));
    }

    [Fact]
    public void A_repository_may_name_its_blueprint_and_build_on_a_template()
    {
        var composed = _set.Compose(Read("blueprint: {template: base, name: portal}"), "repo-acme-portal");

        Assert.Equal(("portal", "base", false, "debian:bookworm"), (composed.Name, composed.Template, composed.IsTemplate, composed.Image));
    }

    [Theory]
    [InlineData("blueprint:\n  template: dev\n  securityContext:\n    privileged: true\n", ":3: securityContext: unknown field (known: template, name, splash, image, env, network, resources, storages, initScripts)")]
    [InlineData("blueprint:\n  template: dev\n  extFiles: {/etc/sudoers: x}\n", ":3: extFiles: unknown field")]
    [InlineData("blueprint:\n  template: dev\n  imagePullPolicy: Always\n", ":3: imagePullPolicy: unknown field")]
    [InlineData("blueprint:\n  template: dev\n  isTemplate: true\n", ":3: isTemplate: unknown field")]
    [InlineData("blueprint:\n  template: dev\n  enableApps: true\n", ":3: enableApps: unknown field")]
    [InlineData("version: 2\nblueprint:\n  template: dev\n", ":1: version: unknown field (known: blueprint)")]
    [InlineData("blueprint:\n  image: alpine:3\n", ":2: template: required: the blueprint this one builds on")]
    [InlineData("blueprint: dev\n", ":1: blueprint: expected a mapping")]
    [InlineData("- blueprint: {template: dev}\n", ": expected one mapping with \"blueprint:\"")]
    [InlineData("blueprint: {template: dev\n", ":2: not valid YAML")]
    [InlineData("blueprint:\n  template: dev\n---\nblueprint:\n  template: base\n", ": expected one mapping with \"blueprint:\"")]
    public void A_file_with_what_a_repository_may_not_set_or_cannot_be_read_names_the_line_and_field(string yaml, string problem)
    {
        var invalid = Assert.Throws<FormatException>(() => Read(yaml));

        Assert.StartsWith(File + problem, invalid.Message);
    }

    [Fact]
    public void A_file_that_is_not_utf8_is_refused()
    {
        var invalid = Assert.Throws<FormatException>(() => CustomBlueprint.Read([.. "blueprint: {template: dev, splash: "u8, 0xFF, (byte)'}'], File));

        Assert.Equal($"{File}: not UTF-8 text", invalid.Message);
    }

    [Theory]
    [InlineData("blueprint: {template: nosuch}", ": template: there is no blueprint nosuch")]
    [InlineData("blueprint: {template: dev, resources: {cpu: lots}}", ":1: resources.cpu: \"lots\" is not a quantity such as 500m, 2, 512Mi or 4Gi")]
    [InlineData("blueprint: {template: dev, name: \"not a name\"}", ":1: name: 1 to 40 letters, digits and -")]
    [InlineData("blueprint: {template: dev, network: {networkPolicyClass: system}, storages: {x: {type: shared}}}", ":1: storages.x.path: required")]
    [InlineData("blueprint: {template: bare}", ": image: required in bare or a template it inherits")]
    [InlineData("blueprint: {template: dev, env: {A: [1]}}", ":1: env.A: expected a single value")]
    public void A_repository_layer_that_makes_an_invalid_blueprint_says_where(string yaml, string problem)
    {
        var custom = Read(yaml);

        var invalid = Assert.Throws<FormatException>(() => _set.Compose(custom, "repo-acme-portal"));

        Assert.StartsWith(File, invalid.Message);
        Assert.Contains(problem, invalid.Message);
    }

    [Fact]
    public void Aliases_that_refer_to_themselves_are_an_error_not_a_stack_overflow()
    {
        var invalid = Record.Exception(() => _set.Compose(Read("blueprint: &self\n  template: dev\n  env: *self\n"), "repo-acme-portal"));

        Assert.IsType<FormatException>(invalid);
    }

    private static CustomBlueprint Read(string yaml) => CustomBlueprint.Read(Encoding.UTF8.GetBytes(yaml), File);

    public void Dispose() => _files.Dispose();
}
