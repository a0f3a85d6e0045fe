using System.Text.Json.Serialization;

namespace PgKit.Embedded.Internal;

/// <summary>
/// The JSON of the files kept beside a cluster (secrets.json, owner.json), by System.Text.Json's source generator: no
/// reflection, so PgKit.Embedded is safe for trimming and native AOT. The default options, as the files always had.
/// </summary>
[JsonSerializable(typeof(ClusterSecrets))]
[JsonSerializable(typeof(OwnerRecord))]
internal sealed partial class EmbeddedJson : JsonSerializerContext;
