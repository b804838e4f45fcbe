using K8shell.Provisioner.Blueprints;

namespace K8shell.Provisioner.Tests;

/// <summary>Blueprint files: the shipped samples, inheritance (template → concrete → custom) and every validation message.</summary>
public sealed class BlueprintSetTests : IDisposable
{
    private readonly BlueprintFiles _files = new();

    [Fact]
    public void The_shipped_samples_inherit_from_base()
    {
        var set = BlueprintSet.Load(BlueprintFiles.Samples);

        Assert.Equal(["base", "dev", "ubuntu"], set.All.Select(blueprint => blueprint.Name));
        Assert.True(set.Find("base")!.IsTemplate);
        var dev = set.Find("dev")!;
        Assert.Equal((false, "base", "debian:bookworm", "4", "4Gi"), (dev.IsTemplate, dev.Template, dev.Image, dev.Resources.Cpu, dev.Resources.Memory));
        Assert.Equal(new Dictionary<string, string> { ["LANG"] = "C.UTF-8", ["EDITOR"] = "vim" }, dev.Env);
        Assert.Equal(new Storage("local", "/home"), dev.Storages["home"]);
        Assert.Equal(["profile"], dev.InitScripts.Select(script => script.Name));
        var ubuntu = set.Find("ubuntu")!;
        Assert.Equal(("ubuntu:24.04", "4", "8Gi"), (ubuntu.Image, ubuntu.Resources.Cpu, ubuntu.Resources.Memory));
    }

    [Fact]
    public void Children_win_scalars_merge_maps_append_lists_and_are_not_templates_by_inheritance()
    {
        _files.Write("layers.yaml", """
            blueprints:
              - name: root
                isTemplate: true
                image: debian:12
                env: {A: root, B: root}
                initScripts: [{name: first, script: "true"}]
                network: {networkPolicyClass: isolated, allowEgressToCIDRs: [10.0.0.0/8]}
              - name: middle
                template: root
                env: {B: middle, C: middle}
                initScripts: [{name: second, script: "true"}]
                network: {allowEgressToCIDRs: [192.168.0.0/16]}
            """);
        _files.Write("custom.yml", """
            blueprints:
              - name: custom
                template: middle
                image: alpine:3
                initScripts: [{name: third, script: "true"}]
            """);

        var custom = BlueprintSet.Load(_files.Directory).Find("custom")!;

        Assert.False(custom.IsTemplate);
        Assert.Equal("alpine:3", custom.Image);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "root", ["B"] = "middle", ["C"] = "middle" }, custom.Env);
        Assert.Equal(["first", "second", "third"], custom.InitScripts.Select(script => script.Name));
        Assert.Equal(("isolated", "10.0.0.0/8,192.168.0.0/16"), (custom.Network.PolicyClass, string.Join(',', custom.Network.AllowEgressToCidrs)));
    }

    [Theory]
    [InlineData("    colour: red", "4: colour: unknown field")]
    [InlineData("    imagePullPolicy: Sometimes", "4: imagePullPolicy: \"Sometimes\" is not one of Always, Never, IfNotPresent")]
    [InlineData("    env: {9LIVES: x}", "4: env.9LIVES: not a valid environment variable name")]
    [InlineData("    resources: {cpu: lots}", "4: resources.cpu: \"lots\" is not a quantity such as 500m, 2, 512Mi or 4Gi")]
    [InlineData("    storages: {data: {path: data}}", "4: storages.data.path: must start with /")]
    [InlineData("    storages: {data: {path: /data, sizeLimit: 1Gi}}", "4: storages.data.sizeLimit: only for emptyDir and memory storages")]
    [InlineData("    initScripts: [{name: x}]", "4: initScripts.script: required")]
    [InlineData("    network: {allowEgressToCIDRs: [10.0.0.0/33]}", "4: network.allowEgressToCIDRs: \"10.0.0.0/33\" is not a CIDR such as 10.0.0.0/8")]
    [InlineData("    network: {networkPolicyClass: open}", "4: network.networkPolicyClass: \"open\" is not one of workspace, system, isolated, user, organization")]
    [InlineData("    securityContext: {runAsUser: 1000}", "4: securityContext.runAsUser: must be 0: k8shelld runs as root and becomes the user itself")]
    [InlineData("    securityContext: {runAsNonRoot: true}", "4: securityContext.runAsNonRoot: must not be true: k8shelld runs as root")]
    [InlineData("    securityContext: {readOnlyRootFilesystem: true}", "4: securityContext.readOnlyRootFilesystem: must not be true")]
    [InlineData("    securityContext: {allowPrivilegeEscalation: false}", "4: securityContext.allowPrivilegeEscalation: must not be false")]
    [InlineData("    securityContext: {capabilities: {drop: [ALL]}}", "4: securityContext.capabilities.drop: must not drop ALL")]
    [InlineData("    securityContext: {capabilities: {drop: [SETUID]}}", "4: securityContext.capabilities.drop: must not drop SETUID")]
    [InlineData("    extFiles: {etc/motd: hi}", "4: extFiles.etc/motd: the path must be absolute")]
    [InlineData("    description: " + "x", null)]
    public void A_wrong_field_is_named_with_its_file_and_line(string line, string? expected)
    {
        var file = _files.Write("bad.yaml", $"blueprints:\n  - name: broken\n    image: debian:12\n{line}\n");

        if (expected is null)
        {
            Assert.NotNull(BlueprintSet.Load(_files.Directory).Find("broken"));
            return;
        }
        var error = Assert.Throws<FormatException>(() => BlueprintSet.Load(_files.Directory));
        Assert.StartsWith($"{file}:{expected}", error.Message);
    }

    [Theory]
    [InlineData("  - name: dev\n    template: nowhere\n", "2: template: blueprint dev inherits from nowhere, which does not exist")]
    [InlineData("  - name: a\n    template: b\n  - name: b\n    template: a\n", "4: template: the templates form a cycle (a → b → a)")]
    [InlineData("  - name: dev\n", "2: image: required in dev or a template it inherits")]
    [InlineData("  - name: -dev\n    image: x\n", "2: name: 1 to 40 letters, digits and -")]
    [InlineData("  - image: x\n", "2: name: required")]
    public void Inheritance_and_required_fields_are_checked(string blueprints, string expected)
    {
        var file = _files.Write("set.yaml", "blueprints:\n" + blueprints);

        var error = Assert.Throws<FormatException>(() => BlueprintSet.Load(_files.Directory));
        Assert.StartsWith($"{file}:{expected}", error.Message);
    }

    [Fact]
    public void A_name_defined_in_two_files_is_an_error_naming_both()
    {
        var first = _files.Write("a.yaml", "blueprints:\n  - name: dev\n    image: x\n");
        var second = _files.Write("b.yaml", "blueprints:\n  - name: dev\n    image: y\n");

        var error = Assert.Throws<FormatException>(() => BlueprintSet.Load(_files.Directory));
        Assert.Equal($"{second}:2: name: dev is defined in {first} already", error.Message);
    }

    [Fact]
    public void Users_may_provision_the_concrete_blueprints_of_their_list_and_default_to_the_first()
    {
        var set = BlueprintSet.Load(BlueprintFiles.Samples);
        var dev = set.Find("dev")!;

        Assert.True(BlueprintCatalog.Entitles(["*"], dev));
        Assert.True(BlueprintCatalog.Entitles(["dev"], dev));
        Assert.False(BlueprintCatalog.Entitles(["ubuntu"], dev));
        Assert.False(BlueprintCatalog.Entitles(["*", "base"], set.Find("base")!));
    }

    public void Dispose() => _files.Dispose();
}
