// Microsoft.SqlServer.Dts.Runtime as Script Tasks see it: variables with SSIS's read/write lock rules and
// strict types, connections, events, logging and the task result. Everything a script does is reported
// to the worker through HostChannel (standard error) as it happens; variable writes are kept here and
// reported only at the end, so the worker applies them only if the task succeeds (as SSIS does).
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using ScaleOut.ScriptHost;

namespace Microsoft.SqlServer.Dts.Runtime
{
    public enum DTSExecResult { Success = 0, Failure = 1, Completion = 2, Canceled = 3 }

    /// SSIS's HRESULTs for the errors scripts meet (HResults in ManagedDTS).
    public static class HResults
    {
        public const int DTS_E_VARIABLEREADONLY = unchecked((int)0xC0010003);
        public const int DTS_E_ELEMENTNOTFOUND = unchecked((int)0xC0010009);
        public const int DTS_E_VARIABLETYPECHANGE = unchecked((int)0xC001F040);
    }

    public class DtsException : Exception
    {
        public DtsException(string message) : base(message) { }
        public DtsException(string message, int errorCode) : base(message) { HResult = errorCode; }
        public int ErrorCode { get { return HResult; } }
    }

    public class DtsRuntimeException : DtsException
    {
        public DtsRuntimeException(string message, int errorCode) : base(message, errorCode) { }
    }

    public sealed class Variable
    {
        readonly Variables owner;
        internal object value;
        internal bool written;
        internal Variable(Variables owner, string ns, string name, int varType, object value, bool readOnly, bool sensitive)
        {
            this.owner = owner; Namespace = ns; Name = name; VarType = varType; this.value = value; ReadOnly = readOnly; Sensitive = sensitive;
        }
        public string Name { get; private set; }
        public string Namespace { get; private set; }
        public string QualifiedName { get { return Namespace + "::" + Name; } }
        public bool ReadOnly { get; private set; }
        public bool Sensitive { get; private set; }
        public bool SystemVariable { get { return Namespace == "System"; } }
        internal int VarType { get; private set; }
        public System.TypeCode DataType { get { return Values.TypeCodeOf(VarType); } }
        public bool EvaluateAsExpression { get { return false; } set { throw new DtsRuntimeException("An attempt change to a read-only attribute on variable \"" + QualifiedName + "\" occurred.", unchecked((int)0xC0010010)); } }
        public string Expression { get { return ""; } }
        public object Value
        {
            get
            {
                owner.CheckLocked(this);
                if (Sensitive) throw new DtsRuntimeException("Accessing value of the parameter variable for the sensitive parameter \"" + Name + "\" is not allowed. Verify that the variable is used properly and that it protects the sensitive information.", unchecked((int)0xC001F272));
                return value;
            }
            set
            {
                owner.CheckLocked(this);
                if (ReadOnly) throw new DtsRuntimeException("Error trying to write to a read-only variable, \"" + QualifiedName + "\".", HResults.DTS_E_VARIABLEREADONLY);
                this.value = Values.CheckAssign(this, VarType, value);
                written = true;
            }
        }
        public object GetSensitiveValue() { owner.CheckLocked(this); return value; }
        public override string ToString() { return QualifiedName; }
    }

    /// The variables a script locked (ReadOnlyVariables/ReadWriteVariables, or through the dispenser).
    public sealed class Variables : IEnumerable
    {
        internal readonly List<Variable> list = new List<Variable>();
        internal bool unlocked;
        internal Variables() { }

        internal Variable Add(string ns, string name, int varType, object value, bool readOnly, bool sensitive)
        {
            var v = new Variable(this, ns, name, varType, value, readOnly, sensitive);
            list.Add(v);
            return v;
        }

        internal void CheckLocked(Variable v)
        {
            if (unlocked) throw new DtsRuntimeException("The variable \"" + v.QualifiedName + "\" was unlocked: a variable of an unlocked collection cannot be used.", unchecked((int)0xC001404C));
        }

        internal Variable Find(string key)
        {
            string k = key.Trim();
            if (k.StartsWith("@[") && k.EndsWith("]")) k = k.Substring(2, k.Length - 3);
            foreach (var v in list) if (string.Equals(v.QualifiedName, k, StringComparison.Ordinal)) return v;
            foreach (var v in list) if (string.Equals(v.Name, k, StringComparison.Ordinal)) return v;
            // Names are case-sensitive in SSIS; accept a case-insensitive match only when it is unique.
            Variable hit = null; int n = 0;
            foreach (var v in list) if (string.Equals(v.QualifiedName, k, StringComparison.OrdinalIgnoreCase) || string.Equals(v.Name, k, StringComparison.OrdinalIgnoreCase)) { hit = v; n++; }
            return n == 1 ? hit : null;
        }

        public Variable this[object index]
        {
            get
            {
                if (unlocked) throw new DtsRuntimeException("The collection of variables has been unlocked and cannot be accessed.", unchecked((int)0xC001404C));
                Variable v = null;
                if (index is string) v = Find((string)index);
                else if (index is int && (int)index >= 0 && (int)index < list.Count) v = list[(int)index];
                if (v == null) throw new DtsRuntimeException("The element cannot be found in a collection. This error happens when you try to retrieve an element from a collection on a container during execution of the package and the element is not there.", HResults.DTS_E_ELEMENTNOTFOUND);
                return v;
            }
        }
        public bool Contains(object index) { return index is string ? Find((string)index) != null : index is int && (int)index >= 0 && (int)index < list.Count; }
        public int Count { get { return list.Count; } }
        public bool Locked { get { return !unlocked; } }
        public void Unlock() { unlocked = true; }
        public List<Variable>.Enumerator GetEnumerator() { return list.GetEnumerator(); }
        IEnumerator IEnumerable.GetEnumerator() { return list.GetEnumerator(); }
    }

    /// VariableDispenser: locks variables by name among those the worker handed this script (the listed
    /// ones, and those the script names in LockFor… calls, found when the script was compiled).
    public sealed class VariableDispenser
    {
        readonly Variables all;
        readonly Variables dispenserOnly;
        readonly List<string> read = new List<string>();
        readonly List<string> write = new List<string>();
        internal VariableDispenser(Variables all, Variables dispenserOnly) { this.all = all; this.dispenserOnly = dispenserOnly; }
        Variable Get(string name, string access = "read")
        {
            var v = all.Find(name) ?? dispenserOnly.Find(name);
            if (v == null) throw new DtsRuntimeException("Failed to lock variable \"" + name + "\" for " + access + " access with error 0xC0010001 \"The variable cannot be found. This occurs when an attempt is made to retrieve a variable from the Variables collection on a container during execution of the package, and the variable is not there. The variable name may have changed or the variable is not being created.\".", unchecked((int)0xC0010001));
            return v;
        }
        public void LockForRead(string name) { Get(name); read.Add(name); }
        public void LockForWrite(string name) { Get(name, "read/write"); write.Add(name); }
        public bool Contains(string name) { return all.Find(name) != null || dispenserOnly.Find(name) != null; }
        public void GetVariables(ref Variables variables)
        {
            var vs = new Variables();
            foreach (var n in read) { var v = Get(n); var c = vs.Add(v.Namespace, v.Name, v.VarType, v.value, true, v.Sensitive); c.value = v.value; }
            foreach (var n in write) vs.list.Add(Get(n));
            read.Clear(); write.Clear();
            variables = vs;
        }
        public void LockOneForRead(string name, ref Variables variables) { LockForRead(name); GetVariables(ref variables); }
        public void LockOneForWrite(string name, ref Variables variables) { LockForWrite(name); GetVariables(ref variables); }
        public void Reset() { read.Clear(); write.Clear(); }
    }

    public sealed class ConnectionManager
    {
        internal ConnectionManager(string name, string id, string creationName, string connectionString, Dictionary<string, object> properties)
        {
            Name = name; ID = id; CreationName = creationName; ConnectionString = connectionString;
            this.properties = properties ?? new Dictionary<string, object>();
        }
        readonly Dictionary<string, object> properties;
        public string Name { get; set; }
        public string ID { get; private set; }
        public string CreationName { get; private set; }
        public string ConnectionString { get; set; }
        public string Description { get; set; }
        public object InnerObject { get { return null; } }
        public DtsProperties Properties { get { return new DtsProperties(this, properties); } }

        /// What a script can use: a file path for FILE/FLATFILE/EXCEL, an open SqlConnection for ADO.NET
        /// SqlClient, and the connection string for other kinds (the OLE DB/ODBC providers are native COM
        /// objects that do not exist here).
        public object AcquireConnection(object txn)
        {
            string kind = (CreationName ?? "").ToUpperInvariant();
            if (kind.StartsWith("ADO.NET") && (kind.Contains("SQLCLIENT") || kind.Contains("SQLCONNECTION")))
            {
                var t = Type.GetType("System.Data.SqlClient.SqlConnection, System.Data, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089");
                if (t == null) throw new DtsRuntimeException("The AcquireConnection method call to the connection manager \"" + Name + "\" failed: System.Data.SqlClient is not installed on this worker.", unchecked((int)0xC0202009));
                var conn = (System.Data.IDbConnection)Activator.CreateInstance(t, ConnectionString);
                conn.Open();
                return conn;
            }
            return ConnectionString;
        }
        public void ReleaseConnection(object connection)
        {
            var d = connection as IDisposable;
            if (d != null) d.Dispose();
        }
    }

    public sealed class DtsProperty
    {
        readonly ConnectionManager cm; readonly Dictionary<string, object> props; readonly string name;
        internal DtsProperty(ConnectionManager cm, Dictionary<string, object> props, string name) { this.cm = cm; this.props = props; this.name = name; }
        public string Name { get { return name; } }
        public object GetValue(object o)
        {
            if (name == "ConnectionString") return cm.ConnectionString;
            if (name == "Name") return cm.Name;
            object v; return props.TryGetValue(name, out v) ? v : null;
        }
        public void SetValue(object o, object value)
        {
            if (name == "ConnectionString") cm.ConnectionString = Convert.ToString(value, CultureInfo.InvariantCulture);
            else props[name] = value;
        }
    }

    public sealed class DtsProperties
    {
        readonly ConnectionManager cm; readonly Dictionary<string, object> props;
        internal DtsProperties(ConnectionManager cm, Dictionary<string, object> props) { this.cm = cm; this.props = props; }
        public DtsProperty this[string name] { get { return new DtsProperty(cm, props, name); } }
        public bool Contains(string name) { return name == "ConnectionString" || name == "Name" || props.ContainsKey(name); }
    }

    public sealed class Connections : IEnumerable
    {
        internal readonly List<ConnectionManager> list = new List<ConnectionManager>();
        internal Connections() { }
        public ConnectionManager this[object index]
        {
            get
            {
                if (index is int && (int)index >= 0 && (int)index < list.Count) return list[(int)index];
                string k = Convert.ToString(index, CultureInfo.InvariantCulture);
                foreach (var c in list) if (c.Name == k || string.Equals(c.ID, k, StringComparison.OrdinalIgnoreCase)) return c;
                foreach (var c in list) if (string.Equals(c.Name, k, StringComparison.OrdinalIgnoreCase)) return c;
                throw new DtsRuntimeException("The connection \"" + k + "\" is not found. This error is thrown by Connections collection when the specific connection element is not found.", unchecked((int)0xC001000E));
            }
        }
        public bool Contains(object index) { try { var c = this[index]; return c != null; } catch (DtsRuntimeException) { return false; } }
        public int Count { get { return list.Count; } }
        public ConnectionManager Add(string creationName)
        {
            var c = new ConnectionManager("{" + Guid.NewGuid().ToString().ToUpperInvariant() + "}", "{" + Guid.NewGuid().ToString().ToUpperInvariant() + "}", creationName, "", null);
            list.Add(c);
            return c;
        }
        public void Remove(object index) { list.Remove(this[index]); }
        public List<ConnectionManager>.Enumerator GetEnumerator() { return list.GetEnumerator(); }
        IEnumerator IEnumerable.GetEnumerator() { return list.GetEnumerator(); }
    }

    /// Dts.Events: every call is reported to the worker at once and becomes a catalog event message.
    public sealed class EventsObjectWrapper
    {
        internal EventsObjectWrapper() { }
        public bool FireError(int errorCode, string subComponent, string description, string helpFile, int helpContext)
        {
            HostChannel.Event("OnError", errorCode, subComponent, description);
            return false;
        }
        public void FireWarning(int warningCode, string subComponent, string description, string helpFile, int helpContext)
        {
            HostChannel.Event("OnWarning", warningCode, subComponent, description);
        }
        public void FireInformation(int informationCode, string subComponent, string description, string helpFile, int helpContext, ref bool fireAgain)
        {
            HostChannel.Event("OnInformation", informationCode, subComponent, description);
        }
        public void FireProgress(string progressDescription, int percentComplete, int progressCountLow, int progressCountHigh, string subComponent, ref bool fireAgain)
        {
            HostChannel.Event("OnProgress", percentComplete, subComponent, progressDescription + " (" + percentComplete.ToString(CultureInfo.InvariantCulture) + "% complete)");
        }
        public void FireCustomEvent(string eventName, string eventText, ref object[] arguments, string subComponent, ref bool fireAgain)
        {
            HostChannel.Send(new Dictionary<string, object> { { "t", "custom" }, { "name", eventName }, { "sub", subComponent }, { "text", eventText } });
        }
        public bool FireQueryCancel() { return false; }
        public void FireBreakpointHit(object breakpointTarget) { }
    }

    /// The `Dts` property of a Script Task's ScriptMain.
    public sealed class ScriptObjectModel
    {
        internal ScriptObjectModel(Variables variables, Variables dispenserOnly, Connections connections)
        {
            Variables = variables; Connections = connections; Events = new EventsObjectWrapper();
            VariableDispenser = new VariableDispenser(variables, dispenserOnly);
            DispenserOnly = dispenserOnly;
            TaskResult = (int)DTSExecResult.Success;
        }
        public Variables Variables { get; private set; }
        /// Variables the script reaches only through the dispenser (not in its ReadOnly/ReadWrite lists).
        internal Variables DispenserOnly { get; private set; }
        public Connections Connections { get; private set; }
        public EventsObjectWrapper Events { get; private set; }
        public VariableDispenser VariableDispenser { get; private set; }
        public int TaskResult { get; set; }
        public object ExecutionValue { get; set; }
        public object Transaction { get { return null; } }
        public void Log(string messageText, int dataCode, byte[] dataBytes)
        {
            HostChannel.Send(new Dictionary<string, object> { { "t", "log" }, { "code", dataCode }, { "text", messageText ?? "" } });
        }
    }
}
