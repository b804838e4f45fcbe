using System.Net;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace K8shell.Provisioner.Blueprints;

/// <summary>
/// Reads one blueprint mapping strictly: unknown fields, wrong types and values outside what Kubernetes
/// and the workspace accept are FormatExceptions naming file, line and field. The security context is
/// checked against what k8shelld needs: it runs as root and must keep CHOWN, SETUID and SETGID to
/// become the user (reference §7.4).
/// </summary>
public static partial class BlueprintReader
{
    private static readonly HashSet<string> Fields =
        ["name", "description", "isTemplate", "template", "splash", "image", "imagePullPolicy", "env", "resources", "storages", "initScripts", "network",
         "securityContext", "extFiles"];

    /// <summary>Reads <paramref name="node"/> from <paramref name="file"/>; <paramref name="concrete"/>: after inheritance, so an image is required.</summary>
    public static Blueprint Read(YamlMappingNode node, string file, bool concrete)
    {
        var reader = new Reader(node, file);
        reader.OnlyKnown(node, "", Fields);
        var name = reader.Text("name") ?? throw reader.Error(node, "name", "required");
        if (!BlueprintName().IsMatch(name))
        {
            throw reader.Error(node["name"], "name", "1 to 40 letters, digits and - (starting with a letter or digit)");
        }
        var isTemplate = reader.Flag("isTemplate") ?? false;
        var image = reader.Text("image") ?? "";
        if (concrete && !isTemplate && image.Length == 0)
        {
            throw reader.Error(node, "image", $"required in {name} or a template it inherits");
        }
        return new Blueprint
        {
            Name = name,
            Description = reader.Text("description") switch
            {
                { Length: > 500 } => throw reader.Error(node["description"], "description", "at most 500 characters"),
                var description => description ?? "",
            },
            IsTemplate = isTemplate,
            Template = reader.Text("template") ?? "",
            Splash = reader.Text("splash") ?? "",
            Image = image,
            ImagePullPolicy = reader.OneOf("imagePullPolicy", ["Always", "Never", "IfNotPresent"]) ?? "IfNotPresent",
            Env = reader.Map("env", (key, value) => EnvName().IsMatch(key) ? reader.Scalar(value, $"env.{key}") : throw reader.Error(value, $"env.{key}", "not a valid environment variable name")),
            Resources = Resources(reader),
            Storages = reader.Map("storages", (key, value) => Storage(reader, key, value)),
            InitScripts = reader.List("initScripts", item => InitScript(reader, item)),
            Network = Network(reader),
            SecurityContext = Security(reader),
            ExtFiles = reader.Map("extFiles", (path, value) => path.StartsWith('/') ? reader.Scalar(value, $"extFiles.{path}") : throw reader.Error(value, $"extFiles.{path}", "the path must be absolute")),
            File = file,
        };
    }

    private static ResourceLimits Resources(Reader reader)
    {
        if (reader.Mapping("resources") is not { } resources)
        {
            return new ResourceLimits("500m", "512Mi");
        }
        reader.OnlyKnown(resources, "resources.", ["cpu", "memory"]);
        return new ResourceLimits(reader.Quantity(resources, "resources.", "cpu") ?? "500m", reader.Quantity(resources, "resources.", "memory") ?? "512Mi");
    }

    private static Storage Storage(Reader reader, string name, YamlNode node)
    {
        var field = $"storages.{name}";
        var storage = node as YamlMappingNode ?? throw reader.Error(node, field, "expected a mapping");
        reader.OnlyKnown(storage, field + ".", ["enabled", "id", "type", "path", "readonly", "sizeLimit", "existingClaim"]);
        var type = reader.OneOf(storage, field + ".", "type", ["local", "shared", "emptyDir", "memory"]) ?? "local";
        var path = reader.Text(storage, "path") ?? throw reader.Error(node, field + ".path", "required");
        if (!path.StartsWith('/'))
        {
            throw reader.Error(storage["path"], field + ".path", "must start with /");
        }
        var sizeLimit = reader.Quantity(storage, field + ".", "sizeLimit");
        if (sizeLimit is not null && type is not ("emptyDir" or "memory"))
        {
            throw reader.Error(storage["sizeLimit"], field + ".sizeLimit", "only for emptyDir and memory storages");
        }
        var id = reader.Text(storage, "id");
        if (id is not null && !id.All(char.IsAsciiLetterOrDigit))
        {
            throw reader.Error(storage["id"], field + ".id", "letters and digits only");
        }
        return new Storage(type, path, reader.Flag(storage, field + ".", "enabled") ?? true, reader.Flag(storage, field + ".", "readonly") ?? false, sizeLimit, id,
            reader.Text(storage, "existingClaim"));
    }

    private static InitScript InitScript(Reader reader, YamlNode node)
    {
        var script = node as YamlMappingNode ?? throw reader.Error(node, "initScripts", "expected {name, script}");
        reader.OnlyKnown(script, "initScripts.", ["name", "script"]);
        return new InitScript(reader.Text(script, "name") ?? throw reader.Error(node, "initScripts.name", "required"),
            reader.Text(script, "script") ?? throw reader.Error(node, "initScripts.script", "required"));
    }

    private static NetworkSettings Network(Reader reader)
    {
        if (reader.Mapping("network") is not { } network)
        {
            return new NetworkSettings("workspace", []);
        }
        reader.OnlyKnown(network, "network.", ["networkPolicyClass", "allowEgressToCIDRs"]);
        const string egress = "network.allowEgressToCIDRs";
        var cidrs = network.Children.TryGetValue(new YamlScalarNode("allowEgressToCIDRs"), out var list)
            ? reader.Items(list, egress, item => reader.Scalar(item, egress) is var text && IPNetwork.TryParse(text, out var cidr)
                ? cidr.ToString()
                : throw reader.Error(item, egress, $"\"{text}\" is not a CIDR such as 10.0.0.0/8"))
            : [];
        return new NetworkSettings(reader.OneOf(network, "network.", "networkPolicyClass", ["workspace", "system", "isolated", "user", "organization"]) ?? "workspace", cidrs);
    }

    private static SecuritySettings Security(Reader reader)
    {
        if (reader.Mapping("securityContext") is not { } context)
        {
            return new SecuritySettings();
        }
        const string prefix = "securityContext.";
        reader.OnlyKnown(context, prefix, ["runAsUser", "runAsGroup", "runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "privileged", "capabilities"]);
        long? Root(string field) => reader.Text(context, field) is not { } value ? null
            : value == "0" ? 0 : throw reader.Error(context[field], prefix + field, "must be 0: k8shelld runs as root and becomes the user itself");
        void Not(string field, bool refused, string why)
        {
            if (reader.Flag(context, prefix, field) == refused)
            {
                throw reader.Error(context[field], prefix + field, why);
            }
        }
        Not("runAsNonRoot", true, "must not be true: k8shelld runs as root");
        Not("readOnlyRootFilesystem", true, "must not be true: the workspace writes its own files");
        Not("allowPrivilegeEscalation", false, "must not be false: sudo and setuid programs need it");
        IReadOnlyList<string>? add = null, drop = null;
        if (context.Children.TryGetValue(new YamlScalarNode("capabilities"), out var node))
        {
            var capabilities = node as YamlMappingNode ?? throw reader.Error(node, prefix + "capabilities", "expected add and drop lists");
            reader.OnlyKnown(capabilities, prefix + "capabilities.", ["add", "drop"]);
            add = capabilities.Children.TryGetValue(new YamlScalarNode("add"), out var added) ? reader.Items(added, prefix + "capabilities.add", item => reader.Scalar(item, prefix + "capabilities.add")) : null;
            drop = capabilities.Children.TryGetValue(new YamlScalarNode("drop"), out var dropped) ? reader.Items(dropped, prefix + "capabilities.drop", item => reader.Scalar(item, prefix + "capabilities.drop")) : null;
            if (drop?.FirstOrDefault(capability => capability.ToUpperInvariant() is "ALL" or "CHOWN" or "SETUID" or "SETGID" or "CAP_CHOWN" or "CAP_SETUID" or "CAP_SETGID") is { } needed)
            {
                throw reader.Error(dropped!, prefix + "capabilities.drop", $"must not drop {needed}: k8shelld needs CHOWN, SETUID and SETGID to become the user");
            }
        }
        return new SecuritySettings(Root("runAsUser"), Root("runAsGroup"), reader.Flag(context, prefix, "privileged"), add, drop);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")]
    private static partial Regex BlueprintName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();
}
