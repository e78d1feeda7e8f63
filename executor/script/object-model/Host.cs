// The process the worker starts for one script run: `mono ScriptHost.exe` reads one request (JSON) on
// stdin, loads the compiled script assembly, runs its entry point with the object model, and reports on
// standard error, one JSON object per line: events as they happen, then exactly one `end` or
// `exception`. stdout belongs to the script (the worker only counts and bounds it).
using System;
using System.Collections;
using System.Collections.Generic;
using System.Data;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Text;
using Microsoft.SqlServer.Dts.Runtime;

namespace ScaleOut.ScriptHost
{
    public static class HostChannel
    {
        static readonly object gate = new object();
        static StreamWriter writer;

        /// The protocol takes the process' standard error stream; the script's Console.Error is sent to
        /// standard output with the rest of its console output.
        internal static void Open()
        {
            writer = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
            Console.SetError(Console.Out);
        }

        static StreamReader reader;

        /// One line of the worker's requests from standard input (a large buffer: a batch of rows is one line).
        public static string ReadLine()
        {
            if (reader == null) reader = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false), false, 1 << 16);
            return reader.ReadLine();
        }

        public static void Send(Dictionary<string, object> message)
        {
            string line = Json.Write(message);
            lock (gate) { writer.WriteLine(line); }
        }

        public static void Event(string eventName, int code, string subComponent, string text)
        {
            Send(new Dictionary<string, object> { { "t", "event" }, { "e", eventName }, { "code", code }, { "sub", subComponent ?? "" }, { "text", text ?? "" } });
        }
    }

    /// Typed values on the wire: `{ "type": <DTS variable type code>, "value": … }`.
    public static class Values
    {
        static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public static Type ClrTypeOf(int t)
        {
            switch (t)
            {
                case 2: return typeof(short);
                case 3: case 22: return typeof(int);
                case 4: return typeof(float);
                case 5: return typeof(double);
                case 6: case 14: return typeof(decimal);
                case 7: return typeof(DateTime);
                case 8: return typeof(string);
                case 11: return typeof(bool);
                case 16: return typeof(sbyte);
                case 17: return typeof(byte);
                case 18: return typeof(char);
                case 19: case 23: return typeof(uint);
                case 20: return typeof(long);
                case 21: return typeof(ulong);
                case 72: return typeof(Guid);
                default: return typeof(object);
            }
        }

        public static System.TypeCode TypeCodeOf(int t)
        {
            var c = ClrTypeOf(t);
            return c == typeof(object) ? System.TypeCode.Object : Type.GetTypeCode(c);
        }

        static int CodeOf(object v)
        {
            if (v == null || v is DBNull) return 13;
            switch (Type.GetTypeCode(v.GetType()))
            {
                case System.TypeCode.Int16: return 2;
                case System.TypeCode.Int32: return 3;
                case System.TypeCode.Single: return 4;
                case System.TypeCode.Double: return 5;
                case System.TypeCode.Decimal: return 14;
                case System.TypeCode.DateTime: return 7;
                case System.TypeCode.String: return 8;
                case System.TypeCode.Boolean: return 11;
                case System.TypeCode.SByte: return 16;
                case System.TypeCode.Byte: return 17;
                case System.TypeCode.Char: return 18;
                case System.TypeCode.UInt32: return 19;
                case System.TypeCode.Int64: return 20;
                case System.TypeCode.UInt64: return 21;
                case System.TypeCode.UInt16: return 19;
                default: return 13;
            }
        }

        public static object CheckAssign(Variable v, int varType, object value)
        {
            if (varType == 13) return value;
            var want = ClrTypeOf(varType);
            if (value == null || value.GetType() != want)
            {
                string got = value == null ? "Empty" : value.GetType().Name;
                throw new DtsRuntimeException("The type of the value (" + got + ") being assigned to variable \"" + v.QualifiedName + "\" differs from the current variable type (" + want.Name + "). Variables may not change type during execution. Variable types are strict, except variables of type Object.", HResults.DTS_E_VARIABLETYPECHANGE);
            }
            return value;
        }

        static double Num(object j) { return j is double ? (double)j : Convert.ToDouble(j, CultureInfo.InvariantCulture); }

        public static object FromWire(int t, object j)
        {
            if (j == null) return t == 13 ? null : (t == 8 ? "" : Activator.CreateInstance(ClrTypeOf(t)));
            switch (t)
            {
                case 2: return Convert.ToInt16(Num(j));
                case 3: case 22: return Convert.ToInt32(Num(j));
                case 4: return Convert.ToSingle(Num(j));
                case 5: return Num(j);
                case 6: case 14: return decimal.Parse(Convert.ToString(j, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
                case 7: return Epoch.AddMilliseconds(Num(j)).ToLocalTime();
                case 8: return Convert.ToString(j, CultureInfo.InvariantCulture);
                case 11: return j is bool ? (bool)j : Convert.ToBoolean(j, CultureInfo.InvariantCulture);
                case 16: return Convert.ToSByte(Num(j));
                case 17: return Convert.ToByte(Num(j));
                case 18: return j is string ? (((string)j).Length > 0 ? ((string)j)[0] : '\0') : (char)Convert.ToInt32(Num(j));
                case 19: case 23: return Convert.ToUInt32(Num(j));
                case 20: return long.Parse(Convert.ToString(j, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture);
                case 21: return ulong.Parse(Convert.ToString(j, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture);
                case 72: return new Guid(Convert.ToString(j, CultureInfo.InvariantCulture));
                default: return ObjectFromWire(j);
            }
        }

        static object ObjectFromWire(object j)
        {
            var d = j as Dictionary<string, object>;
            if (d == null) return j;
            object kind; d.TryGetValue("kind", out kind);
            if ("array".Equals(kind))
            {
                var items = (List<object>)d["items"];
                var vals = new object[items.Count];
                bool allStrings = true;
                for (int i = 0; i < items.Count; i++)
                {
                    var it = (Dictionary<string, object>)items[i];
                    vals[i] = FromWire(Convert.ToInt32(it["type"]), it["value"]);
                    if (!(vals[i] is string)) allStrings = false;
                }
                if (allStrings && vals.Length > 0) { var s = new string[vals.Length]; Array.Copy(vals, s, vals.Length); return s; }
                return vals;
            }
            if ("recordset".Equals(kind))
            {
                var table = new DataTable();
                foreach (var c in (List<object>)d["columns"]) table.Columns.Add(Convert.ToString(c), typeof(object));
                foreach (List<object> row in (List<object>)d["rows"])
                {
                    var r = table.NewRow();
                    for (int i = 0; i < row.Count && i < table.Columns.Count; i++)
                    {
                        var it = (Dictionary<string, object>)row[i];
                        r[i] = FromWire(Convert.ToInt32(it["type"]), it["value"]) ?? (object)DBNull.Value;
                    }
                    table.Rows.Add(r);
                }
                return table;
            }
            object text; d.TryGetValue("text", out text);
            return text;
        }

        public static Dictionary<string, object> ToWire(int t, object v)
        {
            if (t == 13) t = CodeOf(v) == 13 ? 13 : CodeOf(v);
            return new Dictionary<string, object> { { "type", t }, { "value", t == 13 ? ObjectToWire(v) : Scalar(t, v) } };
        }

        static object Scalar(int t, object v)
        {
            if (v == null) return null;
            switch (t)
            {
                case 7: return (((DateTime)v).ToUniversalTime() - Epoch).TotalMilliseconds;
                case 6: case 14: case 20: case 21: return Convert.ToString(v, CultureInfo.InvariantCulture);
                case 18: return (double)(int)(char)v;
                case 72: return v.ToString();
                case 11: return (bool)v;
                case 8: return (string)v;
                default: return Convert.ToDouble(v, CultureInfo.InvariantCulture);
            }
        }

        static object ObjectToWire(object v)
        {
            if (v == null || v is DBNull) return null;
            var table = v as DataTable;
            if (table != null)
            {
                var cols = new List<object>();
                foreach (DataColumn c in table.Columns) cols.Add(c.ColumnName);
                var rows = new List<object>();
                foreach (DataRow r in table.Rows)
                {
                    var row = new List<object>();
                    foreach (var x in r.ItemArray) row.Add(ToWire(13, x is DBNull ? null : x));
                    rows.Add(row);
                }
                return new Dictionary<string, object> { { "kind", "recordset" }, { "columns", cols }, { "rows", rows } };
            }
            var e = v as IEnumerable;
            if (e != null && !(v is string))
            {
                var items = new List<object>();
                foreach (var x in e) items.Add(ToWire(13, x));
                return new Dictionary<string, object> { { "kind", "array" }, { "items", items } };
            }
            return new Dictionary<string, object> { { "kind", "clr" }, { "typeName", v.GetType().FullName }, { "text", Convert.ToString(v, CultureInfo.InvariantCulture) } };
        }
    }

    public static class Host
    {
        static ScriptObjectModel current;
        internal static ScriptObjectModel CurrentModel { get { return current; } }
        internal static bool MessageBoxAsInformation;

        public static int Main(string[] args)
        {
            HostChannel.Open();
            // A prestarted host waits here for its request: warm what every run uses first.
            Json.Write(Json.Parse("{\"a\":[1,\"b\",true,null]}"));
            GC.KeepAlive(typeof(DataTable));
            string input = HostChannel.ReadLine() ?? "";
            if (input.Trim().Length == 0) return 0; // the worker ended without using this prestarted host
            Dictionary<string, object> req;
            try { req = (Dictionary<string, object>)Json.Parse(input); }
            catch (Exception e) { Fail("ScaleOut.ProtocolError", "the request on standard input is not valid JSON: " + e.Message, ""); return 3; }

            string assemblyPath = (string)req["assembly"];
            string entryPoint = req.ContainsKey("entryPoint") ? (string)req["entryPoint"] : "Main";
            MessageBoxAsInformation = "information".Equals(req.ContainsKey("messageBox") ? req["messageBox"] : null);
            object cwd;
            if (req.TryGetValue("cwd", out cwd) && cwd is string && ((string)cwd).Length > 0) Directory.SetCurrentDirectory((string)cwd);

            bool component = "component".Equals(req.ContainsKey("mode") ? req["mode"] : null);
            var variables = new Variables();
            var dispenserOnly = new Variables();
            var readOnly = new Variables();
            var readWrite = new Variables();
            foreach (Dictionary<string, object> v in (List<object>)req["variables"])
            {
                int type = Convert.ToInt32(v["type"]);
                bool writable = (bool)v["writable"];
                bool viaDispenser = v.ContainsKey("dispenserOnly") && true.Equals(v["dispenserOnly"]);
                var added = (viaDispenser ? dispenserOnly : variables).Add((string)v["namespace"], (string)v["name"], type, Values.FromWire(type, v["value"]), !writable, v.ContainsKey("sensitive") && (bool)v["sensitive"]);
                if (!viaDispenser) (writable ? readWrite : readOnly).list.Add(added);
            }
            var connections = new Connections();
            foreach (Dictionary<string, object> c in (List<object>)req["connections"])
            {
                var props = new Dictionary<string, object>();
                var p = c.ContainsKey("properties") ? c["properties"] as Dictionary<string, object> : null;
                if (p != null) foreach (var kv in p) props[kv.Key] = kv.Value;
                connections.list.Add(new ConnectionManager((string)c["name"], (string)c["id"], (string)c["creationName"], (string)c["connectionString"], props));
            }

            var self = typeof(Host).Assembly;
            AppDomain.CurrentDomain.AssemblyResolve += (s, e) => new AssemblyName(e.Name).Name == self.GetName().Name ? self : null;

            Assembly asm;
            try { asm = Assembly.LoadFrom(assemblyPath); }
            catch (Exception e) { Fail(e.GetType().FullName, "The script assembly could not be loaded: " + e.Message, e.StackTrace ?? ""); return 1; }
            Type main = component ? FindComponentType(asm) : FindEntryType(asm);
            if (main == null) { Fail("ScaleOut.EntryPointNotFound", "The entry point class of the script was not found: no class has the " + (component ? "SSISScriptComponentEntryPoint" : "SSISScriptTaskEntryPoint") + " attribute and none is named ScriptMain.", ""); return 1; }
            MethodInfo method = component ? null : main.GetMethod(entryPoint, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, null, Type.EmptyTypes, null);
            if (method == null && !component) { Fail("ScaleOut.EntryPointNotFound", "The entry point method '" + entryPoint + "' was not found on " + main.FullName + ".", ""); return 1; }

            var model = new ScriptObjectModel(variables, dispenserOnly, connections);
            current = model;
            try
            {
                if (component) ComponentHost.Run(req, main, readOnly, readWrite, connections);
                else
                {
                    object instance = Activator.CreateInstance(main, true);
                    method.Invoke(instance, null);
                }
            }
            catch (TargetInvocationException tie)
            {
                var inner = tie.InnerException ?? tie;
                Fail(inner.GetType().FullName, inner.Message, inner.StackTrace ?? "", inner.ToString());
                Console.Out.Flush();
                Environment.Exit(1);
                return 1;
            }
            catch (Exception e)
            {
                Fail(e.GetType().FullName, e.Message, e.StackTrace ?? "", e.ToString());
                Environment.Exit(1);
                return 1;
            }

            var writes = new List<object>();
            var all = new List<Variable>(variables.list);
            all.AddRange(dispenserOnly.list);
            foreach (Variable v in all)
            {
                if (!v.written) continue;
                var w = Values.ToWire(v.VarType, v.value);
                w["name"] = v.QualifiedName;
                writes.Add(w);
            }
            var end = new Dictionary<string, object> { { "t", "end" }, { "result", model.TaskResult }, { "writes", writes } };
            if (model.ExecutionValue != null) end["executionValue"] = Values.ToWire(13, model.ExecutionValue);
            HostChannel.Send(end);
            Console.Out.Flush();
            // Foreground threads the script started must not keep the run alive.
            Environment.Exit(0);
            return 0;
        }

        static Type[] TypesOf(Assembly asm)
        {
            try { return asm.GetTypes(); }
            catch (ReflectionTypeLoadException e) { return Array.FindAll(e.Types, t => t != null); }
        }

        static Type FindComponentType(Assembly asm)
        {
            var types = TypesOf(asm);
            foreach (var t in types)
                foreach (var a in t.GetCustomAttributes(false))
                    if (a is Microsoft.SqlServer.Dts.Pipeline.SSISScriptComponentEntryPointAttribute) return t;
            foreach (var t in types) if (t.Name == "ScriptMain" && typeof(Microsoft.SqlServer.Dts.Pipeline.ScriptComponent).IsAssignableFrom(t)) return t;
            return null;
        }

        static Type FindEntryType(Assembly asm)
        {
            var types = TypesOf(asm);
            foreach (var t in types)
                foreach (var a in t.GetCustomAttributes(false))
                    if (a is Microsoft.SqlServer.Dts.Tasks.ScriptTask.SSISScriptTaskEntryPointAttribute) return t;
            foreach (var t in types) if (t.Name == "ScriptMain" && typeof(Microsoft.SqlServer.Dts.Tasks.ScriptTask.VSTARTScriptObjectModelBase).IsAssignableFrom(t)) return t;
            foreach (var t in types) if (t.Name == "ScriptMain") return t;
            return null;
        }

        static void Fail(string type, string message, string stack, string full = null)
        {
            HostChannel.Send(new Dictionary<string, object> { { "t", "exception" }, { "type", type }, { "message", message }, { "stack", stack }, { "full", full ?? (type + ": " + message) } });
        }
    }
}
