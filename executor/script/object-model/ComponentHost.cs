// Component mode of the script host: runs a Script Component for the data flow. The worker sends one
// JSON line per step on stdin ("prime", "input" with a batch of rows, "finish"); the host answers on
// standard error with the rows each output produced ("rows"), then "done" for the step, and "end" (with
// the variable writes) after PostExecute. Columns are in the order of the generated buffer wrapper, so
// the buffer column indexes are 0..n-1; values are converted by their pipeline data type (DT_*).
using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.SqlServer.Dts.Pipeline;
using Microsoft.SqlServer.Dts.Runtime;

namespace ScaleOut.ScriptHost
{
    sealed class IoSpec
    {
        public int Id; public string Name; public int[] Types; public int SyncInput = -1;
        public PipelineBuffer Buffer;
    }

    static class ComponentHost
    {
        static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        static object FromWire(int dt, object j)
        {
            if (j == null) return null;
            switch (dt)
            {
                case 2: return Convert.ToInt16(j, CultureInfo.InvariantCulture);
                case 3: return Convert.ToInt32(j, CultureInfo.InvariantCulture);
                case 4: return Convert.ToSingle(j, CultureInfo.InvariantCulture);
                case 5: return Convert.ToDouble(j, CultureInfo.InvariantCulture);
                case 6: case 14: case 131: return decimal.Parse(Convert.ToString(j, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
                case 7: case 133: case 135: case 304: return Epoch.AddMilliseconds(Convert.ToDouble(j, CultureInfo.InvariantCulture)).ToLocalTime();
                case 11: return Convert.ToBoolean(j, CultureInfo.InvariantCulture);
                case 16: return Convert.ToSByte(j, CultureInfo.InvariantCulture);
                case 17: return Convert.ToByte(j, CultureInfo.InvariantCulture);
                case 18: return Convert.ToUInt16(j, CultureInfo.InvariantCulture);
                case 19: return Convert.ToUInt32(j, CultureInfo.InvariantCulture);
                case 20: return long.Parse(Convert.ToString(j, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                case 21: return ulong.Parse(Convert.ToString(j, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                case 72: return new Guid(Convert.ToString(j, CultureInfo.InvariantCulture));
                case 128: case 301: return Convert.FromBase64String(Convert.ToString(j, CultureInfo.InvariantCulture));
                default: return Convert.ToString(j, CultureInfo.InvariantCulture);
            }
        }

        static object ToWire(int dt, object v)
        {
            if (v == null || v is DBNull) return null;
            var blob = v as BlobColumn;
            if (blob != null) { if (blob.IsNull) return null; v = blob.GetBlobData(0, (int)blob.Length); if (dt == 302 || dt == 303) return System.Text.Encoding.UTF8.GetString((byte[])v); }
            switch (dt)
            {
                case 7: case 133: case 135: case 304: return (Convert.ToDateTime(v, CultureInfo.InvariantCulture).ToUniversalTime() - Epoch).TotalMilliseconds;
                case 6: case 14: case 131: case 20: case 21: return Convert.ToString(v, CultureInfo.InvariantCulture);
                case 11: return Convert.ToBoolean(v, CultureInfo.InvariantCulture);
                case 72: return v.ToString();
                case 128: case 301: return Convert.ToBase64String((byte[])v);
                case 2: case 3: case 4: case 5: case 16: case 17: case 18: case 19: return Convert.ToDouble(v, CultureInfo.InvariantCulture);
                default: return Convert.ToString(v, CultureInfo.InvariantCulture);
            }
        }

        static List<IoSpec> Ios(Dictionary<string, object> req, string key)
        {
            var list = new List<IoSpec>();
            foreach (Dictionary<string, object> x in (List<object>)req[key])
            {
                var types = (List<object>)x["types"];
                var io = new IoSpec { Id = Convert.ToInt32(x["id"]), Name = (string)x["name"], Types = new int[types.Count] };
                for (int i = 0; i < types.Count; i++) io.Types[i] = Convert.ToInt32(types[i]);
                if (x.ContainsKey("syncInput") && x["syncInput"] != null) io.SyncInput = Convert.ToInt32(x["syncInput"]);
                list.Add(io);
            }
            return list;
        }

        static void SendRows(IoSpec output, PipelineBuffer buffer)
        {
            if (buffer.rows.Count == 0) return;
            var rows = new List<object>(buffer.rows.Count);
            foreach (var r in buffer.rows)
            {
                var row = new object[output.Types.Length];
                for (int i = 0; i < row.Length && i < r.Length; i++) row[i] = ToWire(output.Types[i], r[i]);
                rows.Add(row);
            }
            HostChannel.Send(new Dictionary<string, object> { { "t", "rows" }, { "output", output.Id }, { "rows", rows } });
            buffer.Clear();
        }

        public static void Run(Dictionary<string, object> req, Type main, Variables readOnly, Variables readWrite, Connections connections)
        {
            var inputs = Ios(req, "inputs");
            var outputs = Ios(req, "outputs");
            var map = new OutputNameMap();
            foreach (var o in outputs) map.Add(o.Name, o.Id);
            int batch = req.ContainsKey("batchSize") ? Convert.ToInt32(req["batchSize"]) : 10000;

            var component = (ScriptComponent)Activator.CreateInstance(main, true);
            component.Bind(readOnly, readWrite, connections, req.ContainsKey("name") ? (string)req["name"] : "Script Component");
            foreach (var io in inputs) component.SetColumnIndexes(io.Id, Indexes(io.Types.Length));
            foreach (var io in outputs) component.SetColumnIndexes(io.Id, Indexes(io.Types.Length));
            component.AcquireConnections(null);
            component.PreExecute();
            HostChannel.Send(new Dictionary<string, object> { { "t", "done" }, { "op", "start" } });

            var asyncOutputs = outputs.FindAll(o => o.SyncInput < 0);
            for (;;)
            {
                string line = HostChannel.ReadLine();
                if (line == null) return;
                var cmd = (Dictionary<string, object>)Json.Parse(line);
                string op = (string)cmd["op"];
                if (op == "prime")
                {
                    var ids = new int[asyncOutputs.Count];
                    var buffers = new PipelineBuffer[asyncOutputs.Count];
                    for (int i = 0; i < asyncOutputs.Count; i++)
                    {
                        var o = asyncOutputs[i];
                        o.Buffer = new PipelineBuffer(o.Types.Length, true, false) { BatchSize = batch };
                        o.Buffer.Flush = b => SendRows(o, b);
                        ids[i] = o.Id; buffers[i] = o.Buffer;
                    }
                    component.PrimeOutput(asyncOutputs.Count, ids, buffers, map);
                    foreach (var o in asyncOutputs) SendRows(o, o.Buffer);
                }
                else if (op == "input")
                {
                    int id = Convert.ToInt32(cmd["id"]);
                    var input = inputs.Find(x => x.Id == id);
                    if (input == null) throw new ArgumentException("The component has no input with ID " + id + ".");
                    var buffer = new PipelineBuffer(input.Types.Length, false, (bool)cmd["end"]);
                    foreach (List<object> r in (List<object>)cmd["rows"])
                    {
                        var row = new object[input.Types.Length];
                        for (int i = 0; i < row.Length && i < r.Count; i++) row[i] = FromWire(input.Types[i], r[i]);
                        buffer.rows.Add(row);
                    }
                    component.ProcessInput(id, input.Name, buffer, map);
                    foreach (var o in outputs) if (o.SyncInput == id) SendRows(o, buffer);
                    foreach (var o in asyncOutputs) if (o.Buffer != null) SendRows(o, o.Buffer);
                }
                else if (op == "finish")
                {
                    foreach (var o in asyncOutputs) if (o.Buffer != null) SendRows(o, o.Buffer);
                    component.PostExecute();
                    component.ReleaseConnections();
                    return;
                }
                else throw new ArgumentException("unknown component step '" + op + "'");
                HostChannel.Send(new Dictionary<string, object> { { "t", "done" }, { "op", op } });
            }
        }

        static int[] Indexes(int n) { var r = new int[n]; for (int i = 0; i < n; i++) r[i] = i; return r; }
    }
}
