/*
 * The rule table of `gymwarden vet`. One entry per rule: its id, the
 * base severity, the contexts that raise it a level, and the text a
 * reviewer reads. docs/rules.md describes the same rules and the
 * severity model; tests/unit/test_vet_rules.c keeps the two honest.
 */
#include <errno.h>
#include <string.h>

#include "vet/vet.h"

#define BIT(c) GW_VET_CTX_BIT(GW_VET_CTX_##c)
/* Code that runs without anyone asking: installing or importing. */
#define HOT_ENTRY (BIT(INSTALL) | BIT(IMPORT))
/* An env's own life cycle, the part every episode runs. */
#define HOT_LIFE (BIT(INIT) | BIT(RESET) | BIT(STEP))
#define HOT_ALL	 (HOT_ENTRY | HOT_LIFE | BIT(RENDER) | BIT(CLOSE))

#define LOW    GW_VET_LOW
#define MEDIUM GW_VET_MEDIUM
#define HIGH   GW_VET_HIGH

const struct gw_vet_rule gw_vet_rules[GW_VET_RULE_COUNT] = {
	/* ---- process execution ---- */
	[GW_VET_R_PROC_SHELL] = {
		"GW-PROC-001", "ShellCommand",
		"a command line is handed to the system shell",
		LOW, HOT_ENTRY | HOT_LIFE, false,
		"os.system, os.popen, subprocess with shell=True and their "
		"relatives let /bin/sh interpret a string, so quoting, "
		"globbing and any text spliced into the command decide what "
		"runs. An environment rarely needs a shell at all.",
		"Call the program directly with an argument list and no "
		"shell, or drop the call; confirm every part of the command "
		"is fixed text.",
		"security,process,external/cwe/cwe-78",
	},
	[GW_VET_R_PROC_SPAWN] = {
		"GW-PROC-002", "SubprocessSpawn",
		"another program is started",
		LOW, HOT_ENTRY | HOT_LIFE, false,
		"Starting a process is a capability the sandbox has to "
		"grant. Video recorders and simulators do it for good "
		"reasons; done on import or inside reset and step it "
		"deserves a look at what is started and with what.",
		"Check the program and its arguments are fixed and needed; "
		"keep process creation out of reset and step.",
		"security,process,external/cwe/cwe-78",
	},
	[GW_VET_R_PROC_REPLACE] = {
		"GW-PROC-003", "ProcessExecSpawn",
		"the process is replaced or a program spawned by path",
		LOW, HOT_ENTRY | HOT_LIFE, false,
		"os.exec*, os.spawn*, os.posix_spawn and pty.spawn start "
		"a program at the lowest level; pty.spawn in particular is "
		"how interactive reverse shells are usually written.",
		"Remove the call, or replace it with a documented "
		"subprocess call whose program and arguments are fixed.",
		"security,process,external/cwe/cwe-78",
	},
	/* ---- dynamic code ---- */
	[GW_VET_R_EXEC_CODE] = {
		"GW-EXEC-001", "DynamicCodeExecution",
		"text is compiled or executed as Python code",
		MEDIUM, BIT(INSTALL), false,
		"exec, eval and compile turn data into code. Whatever "
		"reaches them runs with the environment's rights, and a "
		"reviewer cannot read that code in the tree.",
		"Replace the call with ordinary code, ast.literal_eval for "
		"literals, or a lookup table.",
		"security,code-injection,external/cwe/cwe-95",
	},
	[GW_VET_R_EXEC_IMPORT] = {
		"GW-EXEC-002", "ComputedImport",
		"a module is imported by a computed name or from a path",
		LOW, BIT(INSTALL), false,
		"Registries import entry points by name, which is fine when "
		"the names are fixed. A name assembled at run time, or a "
		"module loaded from an arbitrary file, hides which code "
		"will run.",
		"Import modules by literal name, or keep an explicit list "
		"of allowed names next to the dynamic import.",
		"security,code-injection,external/cwe/cwe-829",
	},
	[GW_VET_R_EXEC_RUN] = {
		"GW-EXEC-003", "RunModuleOrFile",
		"a script or module is run as code",
		MEDIUM, BIT(INSTALL), false,
		"runpy, execfile and code.interact run a whole file or "
		"module at call time, bypassing the import system that the "
		"reviewer reasons about.",
		"Import what is needed and call it, so the code is part of "
		"the reviewed tree.",
		"security,code-injection,external/cwe/cwe-94",
	},
	/* ---- unsafe deserialization ---- */
	[GW_VET_R_DESER_PICKLE] = {
		"GW-DESER-001", "PickleLoad",
		"pickled data is loaded",
		LOW, HOT_ENTRY | BIT(STEP), false,
		"Unpickling runs whatever callables the data names, so a "
		"pickle file is code. pickle, cPickle, dill, cloudpickle, "
		"joblib, shelve and pandas.read_pickle all share this.",
		"Load only files the environment ships and the reviewer has "
		"seen, or switch to a data-only format (JSON, npz without "
		"pickles, safetensors).",
		"security,deserialization,external/cwe/cwe-502",
	},
	[GW_VET_R_DESER_MARSHAL] = {
		"GW-DESER-002", "MarshalLoad",
		"marshal data is loaded",
		MEDIUM, HOT_ENTRY, false,
		"marshal reads code objects as easily as numbers; loading "
		"marshal data is a common way to ship bytecode that no one "
		"can read in the tree.",
		"Use a data-only format; never marshal code objects.",
		"security,deserialization,external/cwe/cwe-502",
	},
	[GW_VET_R_DESER_YAML] = {
		"GW-DESER-003", "UnsafeYamlLoad",
		"YAML is loaded with a loader that builds arbitrary objects",
		MEDIUM, HOT_ENTRY, false,
		"yaml.load without a safe loader, and yaml.unsafe_load, can "
		"construct any Python object a document names, which is "
		"enough to run code.",
		"Use yaml.safe_load, or pass Loader=yaml.SafeLoader (or "
		"CSafeLoader).",
		"security,deserialization,external/cwe/cwe-502",
	},
	[GW_VET_R_DESER_TORCH] = {
		"GW-DESER-004", "TorchLoadPickle",
		"torch.load is called without weights_only=True",
		LOW, HOT_ENTRY | BIT(STEP), false,
		"torch.load unpickles its input unless weights_only=True, "
		"so a checkpoint can carry code.",
		"Pass weights_only=True, or load tensors with safetensors.",
		"security,deserialization,external/cwe/cwe-502",
	},
	[GW_VET_R_DESER_NUMPY] = {
		"GW-DESER-005", "NumpyAllowPickle",
		"numpy.load is allowed to unpickle",
		LOW, HOT_ENTRY | BIT(STEP), false,
		"With allow_pickle=True, numpy.load unpickles object arrays, "
		"which lets the file run code.",
		"Store plain arrays and load them with allow_pickle=False "
		"(the default).",
		"security,deserialization,external/cwe/cwe-502",
	},
	/* ---- network ---- */
	[GW_VET_R_NET_SOCKET] = {
		"GW-NET-001", "RawSocket",
		"a network socket is created",
		LOW, HOT_ALL, false,
		"A socket is a way out of the process. Environments that "
		"talk to a local simulator use one; anything else that "
		"connects out from reset, step or render needs a reason.",
		"Document the endpoint, keep it on loopback, or remove the "
		"connection; the sandbox runs without a network.",
		"security,network,external/cwe/cwe-200",
	},
	[GW_VET_R_NET_HTTP] = {
		"GW-NET-002", "HttpClient",
		"an HTTP request is made",
		LOW, HOT_ALL, false,
		"HTTP clients (urllib, requests, httpx, aiohttp, "
		"http.client) fetch code and data from outside the reviewed "
		"tree, or send data out of it.",
		"Ship the data with the environment, or download it in a "
		"separate, reviewed setup step.",
		"security,network,external/cwe/cwe-200",
	},
	[GW_VET_R_NET_PROTO] = {
		"GW-NET-003", "NetworkProtocolClient",
		"a mail, file-transfer, remote-shell or server object is made",
		LOW, HOT_ALL, false,
		"ftplib, smtplib, telnetlib, poplib, imaplib, paramiko and "
		"socket servers move data to or from other machines, a "
		"classic exfiltration path.",
		"Remove the client; an environment has no reason to send "
		"mail or files.",
		"security,network,external/cwe/cwe-200",
	},
	[GW_VET_R_NET_DNS] = {
		"GW-NET-004", "DnsLookup",
		"a host name is resolved",
		LOW, HOT_ALL, false,
		"Name lookups reach the network even where connections are "
		"blocked, and a name built from data leaks that data to "
		"whoever runs the domain's name server.",
		"Remove the lookup, or resolve only fixed names outside the "
		"environment's hot path.",
		"security,network,external/cwe/cwe-200",
	},
	/* ---- secrets and identity ---- */
	[GW_VET_R_SECRET_STORE] = {
		"GW-SECRET-001", "CredentialStoreAccess",
		"a credential store or account file is named or read",
		HIGH, 0, false,
		"SSH keys, cloud credentials, .netrc, Docker and git "
		"credential files, keyrings, browser profiles and "
		"/etc/shadow hold other people's secrets. No environment "
		"needs them.",
		"Remove the access; treat the tree as hostile until the "
		"author explains it.",
		"security,secrets,external/cwe/cwe-522",
	},
	[GW_VET_R_SECRET_ENVIRON] = {
		"GW-SECRET-002", "EnvironmentHarvest",
		"the whole process environment is copied, listed or passed on",
		LOW, HOT_ENTRY | HOT_LIFE, false,
		"Reading one named setting is configuration; taking the "
		"whole environment collects every token and key the trainer "
		"was started with.",
		"Read the few variables the environment needs by name.",
		"security,secrets,external/cwe/cwe-526",
	},
	[GW_VET_R_SECRET_VAR] = {
		"GW-SECRET-003", "SecretVariableRead",
		"an environment variable with a secret-looking name is read",
		LOW, HOT_ENTRY | HOT_LIFE, false,
		"Names like *_TOKEN, *_SECRET, *_KEY or AWS_* hold "
		"credentials; an environment that reads them can leak them.",
		"Do not read credentials in environment code; pass what is "
		"needed as constructor arguments the manifest allows.",
		"security,secrets,external/cwe/cwe-526",
	},
	[GW_VET_R_SECRET_HOST] = {
		"GW-SECRET-004", "HostIdentity",
		"the user name, host name or hardware address is read",
		LOW, HOT_ENTRY | HOT_LIFE, false,
		"Who and where the trainer runs is what a beacon reports "
		"home first; environments rarely need it.",
		"Remove the call, or keep it out of data that leaves the "
		"process.",
		"security,privacy,external/cwe/cwe-200",
	},
	/* ---- file system ---- */
	[GW_VET_R_FS_WRITE] = {
		"GW-FS-001", "WriteOutsideWorkdir",
		"a file is written at an absolute path outside /tmp",
		MEDIUM, 0, false,
		"An environment that writes into the home folder or system "
		"paths can plant start-up scripts, keys or shell profiles.",
		"Write below a folder the caller passes in, or under /tmp.",
		"security,filesystem,external/cwe/cwe-73",
	},
	[GW_VET_R_FS_MODIFY] = {
		"GW-FS-002", "ModifyOutsideWorkdir",
		"a file outside /tmp is removed, renamed or has its mode changed",
		MEDIUM, 0, false,
		"Deleting, moving or chmod-ing absolute paths changes the "
		"host rather than the environment's own files.",
		"Restrict file changes to a folder the environment owns.",
		"security,filesystem,external/cwe/cwe-73",
	},
	[GW_VET_R_FS_RMTREE] = {
		"GW-FS-003", "RecursiveDelete",
		"a folder tree is deleted",
		LOW, HOT_ENTRY, false,
		"shutil.rmtree removes everything below a path; with a "
		"wrong or computed path it wipes data.",
		"Delete only folders the environment created, found from a "
		"fixed base.",
		"security,filesystem,external/cwe/cwe-73",
	},
	/* ---- native code ---- */
	[GW_VET_R_NATIVE_FFI] = {
		"GW-NATIVE-001", "ForeignFunctionInterface",
		"ctypes or cffi is imported",
		LOW, 0, false,
		"A foreign function interface can call any C function and "
		"touch any memory, outside what Python code review covers.",
		"Prefer a packaged extension module the dependency audit "
		"covers; review every foreign call.",
		"security,native",
	},
	[GW_VET_R_NATIVE_LOAD] = {
		"GW-NATIVE-002", "NativeLibraryLoad",
		"a shared library is loaded through ctypes or cffi",
		MEDIUM, 0, false,
		"Loading a .so runs its constructors at once and gives it "
		"the whole process; a library bundled in the tree is code "
		"no one reviewed.",
		"Load only system libraries by well-known names, or build "
		"the extension from reviewed source.",
		"security,native,external/cwe/cwe-829",
	},
	[GW_VET_R_NATIVE_MEMORY] = {
		"GW-NATIVE-003", "RawMemoryAccess",
		"raw memory or the interpreter's C API is used directly",
		MEDIUM, 0, false,
		"ctypes.memmove, string_at, cast and pythonapi read and "
		"patch the interpreter's own memory, which is how audit "
		"hooks and checks are switched off from Python.",
		"Remove the call; there is no reason for an environment to "
		"patch the interpreter.",
		"security,native,external/cwe/cwe-787",
	},
	/* ---- obfuscation ---- */
	[GW_VET_R_OBF_DECODE_EXEC] = {
		"GW-OBF-001", "DecodedCodeExecution",
		"decoded data reaches exec, eval, compile, an import or a shell",
		HIGH, 0, false,
		"Encoding code in base64, hex, zlib, rot13 or chr() lists "
		"and running it after decoding has one purpose: to keep "
		"the code from being read.",
		"Treat the tree as malicious until the decoded code has been "
		"recovered and reviewed.",
		"security,obfuscation,external/cwe/cwe-506",
	},
	[GW_VET_R_OBF_BLOB] = {
		"GW-OBF-002", "EncodedBlob",
		"a long base64 or hex literal is embedded in the code",
		MEDIUM, 0, false,
		"Long encoded literals are how payloads, bytecode and "
		"binaries are hidden in a source file.",
		"Decode the literal and check what it is; ship data as files "
		"in a documented format.",
		"security,obfuscation,external/cwe/cwe-506",
	},
	[GW_VET_R_OBF_ENTROPY] = {
		"GW-OBF-003", "HighEntropyString",
		"a string literal looks random",
		LOW, 0, false,
		"High-entropy strings are keys, tokens or encrypted "
		"payloads. A hard-coded token may also be someone's "
		"leaked credential.",
		"Find out what the string is; move secrets out of the code.",
		"security,obfuscation,secrets,external/cwe/cwe-798",
	},
	[GW_VET_R_OBF_INDIRECT] = {
		"GW-OBF-004", "IndirectDangerousName",
		"a dangerous function or module is reached through a spelled-out name",
		MEDIUM, 0, false,
		"getattr, globals()[...], __import__ and strings built from "
		"escapes, chr() or concatenation reach exec, eval, system or "
		"similar without writing their names, which defeats "
		"reading and searching the code.",
		"Call functions by their plain names; treat deliberate "
		"spelling tricks as hostile.",
		"security,obfuscation,external/cwe/cwe-506",
	},
	[GW_VET_R_OBF_BIDI] = {
		"GW-OBF-005", "BidiOrInvisibleCharacter",
		"a bidirectional control or invisible character is in the file",
		HIGH, 0, false,
		"Bidi overrides and zero-width characters make an editor "
		"show code in an order or form other than the one Python "
		"runs (Trojan Source).",
		"Remove the characters and review the line as the "
		"interpreter sees it.",
		"security,obfuscation,external/cwe/cwe-451",
	},
	[GW_VET_R_OBF_HOMOGLYPH] = {
		"GW-OBF-006", "ConfusableIdentifier",
		"an identifier mixes scripts or uses look-alike characters",
		MEDIUM, 0, false,
		"Python folds full-width and mathematical letters to ASCII, "
		"and Cyrillic or Greek letters look like Latin ones, so two "
		"names that look equal may differ and two that look "
		"different may be the same.",
		"Rename the identifier using one script.",
		"security,obfuscation,external/cwe/cwe-1007",
	},
	[GW_VET_R_OBF_HIDDEN] = {
		"GW-OBF-007", "CodeAfterWhitespace",
		"code follows a long run of spaces on its line",
		HIGH, 0, false,
		"Pushing statements far to the right hides them beyond the "
		"edge of an editor window or a review diff.",
		"Reformat the line and review what was hidden.",
		"security,obfuscation,external/cwe/cwe-506",
	},
	/* ---- data flows ---- */
	[GW_VET_R_FLOW_NET_EXEC] = {
		"GW-FLOW-001", "DownloadAndExecute",
		"data from the network is executed, unpickled or run in a shell",
		HIGH, 0, false,
		"Running what a server sends means the code that runs is "
		"chosen later, by whoever controls the server.",
		"Remove the download-and-run path.",
		"security,network,code-injection,external/cwe/cwe-494",
	},
	[GW_VET_R_FLOW_EXFIL] = {
		"GW-FLOW-002", "SecretExfiltration",
		"secrets, environment variables or host identity reach the network",
		HIGH, 0, false,
		"Sending credentials, the process environment or who and "
		"where the trainer runs to another machine is data theft.",
		"Remove the flow and treat the tree as malicious.",
		"security,network,secrets,external/cwe/cwe-200",
	},
	/* ---- install-time hooks ---- */
	[GW_VET_R_INSTALL_CMDCLASS] = {
		"GW-INSTALL-001", "SetupCommandOverride",
		"setup.py replaces an install or build command",
		MEDIUM, 0, false,
		"A cmdclass override runs its own code during pip install, "
		"before anyone imports the package or looks at it.",
		"Build with a declarative backend; review every overridden "
		"command.",
		"security,install,external/cwe/cwe-506",
	},
	[GW_VET_R_INSTALL_CODE] = {
		"GW-INSTALL-002", "SetupTopLevelCode",
		"setup.py runs code beyond describing the package",
		LOW, 0, false,
		"Statements at setup.py's top level run on every install "
		"and every metadata query.",
		"Keep setup.py to a setup() call, or move metadata to "
		"pyproject.toml.",
		"security,install",
	},
	[GW_VET_R_INSTALL_PTH] = {
		"GW-INSTALL-003", "PthExecutableLine",
		"a .pth file has a line that Python executes at start-up",
		MEDIUM, 0, false,
		"Lines of a .pth file that start with import are executed "
		"by every interpreter that starts with the file on its path.",
		"Remove the .pth file or its import lines.",
		"security,install,external/cwe/cwe-506",
	},
	/* ---- suspicious addresses ---- */
	[GW_VET_R_URL_IP] = {
		"GW-URL-001", "RawIpAddress",
		"a raw IP address is written in the code",
		MEDIUM, 0, false,
		"Legitimate services are reached by name; a fixed address "
		"is typical of a command-and-control server.",
		"Find out whose address it is; remove it.",
		"security,network",
	},
	[GW_VET_R_URL_TUNNEL] = {
		"GW-URL-002", "TunnelOrDynamicDns",
		"a tunnelling or dynamic-DNS host is named",
		HIGH, 0, false,
		"Tunnel services (ngrok, trycloudflare and the like) and "
		"dynamic DNS give an attacker's laptop a public name.",
		"Remove the address.",
		"security,network",
	},
	[GW_VET_R_URL_PASTE] = {
		"GW-URL-003", "PasteOrFileDrop",
		"a paste or anonymous file-drop site is named",
		MEDIUM, 0, false,
		"Paste sites host second-stage payloads that can be changed "
		"after the review.",
		"Ship the content with the environment instead.",
		"security,network",
	},
	[GW_VET_R_URL_WEBHOOK] = {
		"GW-URL-004", "WebhookOrBotApi",
		"a chat webhook, bot API or request catcher is named",
		HIGH, 0, false,
		"Discord and Slack webhooks, the Telegram bot API and "
		"request-catching services are the usual drop boxes for "
		"stolen data.",
		"Remove the address and treat the tree as malicious.",
		"security,network,external/cwe/cwe-200",
	},
	/* ---- bundled binaries ---- */
	[GW_VET_R_BIN_EXEC] = {
		"GW-BIN-001", "BundledExecutable",
		"the tree holds an executable or object file",
		MEDIUM, 0, false,
		"ELF, PE and Mach-O files are code that source review "
		"cannot see; one with a harmless-looking name is worse.",
		"Remove it, or build it from reviewed source.",
		"security,binary,external/cwe/cwe-506",
	},
	[GW_VET_R_BIN_LIBRARY] = {
		"GW-BIN-002", "BundledNativeLibrary",
		"the tree holds a native library (.so, .pyd, .dll, .dylib)",
		MEDIUM, 0, false,
		"Python imports extension modules found next to its "
		"sources and runs their code at import.",
		"Build extensions from reviewed source in a separate step.",
		"security,binary",
	},
	[GW_VET_R_BIN_BYTECODE] = {
		"GW-BIN-003", "SourcelessBytecode",
		"a compiled .pyc or .pyo file has no source beside it",
		MEDIUM, 0, false,
		"Python imports a sourceless .pyc as a module; its code is "
		"not in the tree to review.",
		"Delete compiled files and ship sources only.",
		"security,binary",
	},
	/* ---- the tree itself ---- */
	[GW_VET_R_TREE_SYMLINK_OUT] = {
		"GW-TREE-001", "SymlinkOutOfTree",
		"a symbolic link points outside the tree",
		MEDIUM, 0, false,
		"A link out of the tree makes the environment read or "
		"overwrite host files through an innocent path.",
		"Replace the link with the file it should contain.",
		"security,filesystem,external/cwe/cwe-61",
	},
	[GW_VET_R_TREE_SYMLINK] = {
		"GW-TREE-002", "SymlinkInTree",
		"a symbolic link inside the tree was not followed",
		LOW, 0, false,
		"Links are reported, never followed, so the file they name "
		"is vetted under its own path only.",
		"Prefer plain files.",
		"filesystem",
	},
	[GW_VET_R_TREE_SPECIAL] = {
		"GW-TREE-003", "SpecialFile",
		"the tree holds a device, FIFO or socket",
		LOW, 0, false,
		"Special files have no place in a source tree and can block "
		"or redirect tools that read it.",
		"Remove them.",
		"filesystem",
	},
	/* ---- what could not be analyzed ---- */
	[GW_VET_R_PARSE_SYNTAX] = {
		"GW-PARSE-001", "SyntaxError",
		"a Python file does not parse",
		MEDIUM, 0, true,
		"Code that the parser cannot read is code the analysis "
		"cannot vouch for, and a file that fails to parse here may "
		"still run on another interpreter.",
		"Fix the syntax, or remove the file.",
		"correctness",
	},
	[GW_VET_R_PARSE_ENCODING] = {
		"GW-PARSE-002", "InvalidEncoding",
		"a Python file is not valid UTF-8 or holds NUL bytes",
		MEDIUM, 0, true,
		"Bytes that are not UTF-8 are read differently by different "
		"tools, which is a way to show the reviewer other code than "
		"the interpreter runs.",
		"Save the file as UTF-8.",
		"correctness",
	},
	[GW_VET_R_PARSE_LIMIT] = {
		"GW-PARSE-003", "OverLimit",
		"a file or the tree is over an analysis limit",
		MEDIUM, 0, true,
		"Files beyond the size, depth or time caps are not "
		"analyzed, so the result covers less than the tree.",
		"Split the file, or raise the limit in the reviewer's "
		"configuration after checking why it is so large.",
		"correctness",
	},
	[GW_VET_R_PARSE_UNREADABLE] = {
		"GW-PARSE-004", "Unreadable",
		"a file or folder could not be read",
		MEDIUM, 0, true,
		"A file or folder the analysis could not open is a hole "
		"in the result, and its content may be what the tree hides.",
		"Fix the permissions and vet again.",
		"correctness",
	},
	/* ---- attempts to steer the review ---- */
	[GW_VET_R_SUPP_COMMENT] = {
		"GW-SUPP-001", "InTreeSuppression",
		"a comment asks security tools to skip a line",
		LOW, 0, false,
		"Suppression comments written by the tree's author are not "
		"obeyed; they are listed because they show where the author "
		"expected a tool to object.",
		"Look at the line the comment is on.",
		"review",
	},
	[GW_VET_R_SUPP_CONFIG] = {
		"GW-SUPP-002", "InTreeAnalyzerConfig",
		"the tree carries settings for a code analyzer",
		LOW, 0, false,
		"Configuration files in the vetted tree (.bandit, "
		".gymwarden.toml and similar) are ignored; a reviewer's own "
		"settings come from --config.",
		"Check what the file would have turned off.",
		"review",
	},
};

const struct gw_vet_rule *gw_vet_rule_find(const char *id)
{
	for (size_t i = 0; i < GW_VET_RULE_COUNT; i++)
		if (strcmp(gw_vet_rules[i].id, id) == 0)
			return &gw_vet_rules[i];
	return NULL;
}

const char *gw_vet_severity_name(enum gw_vet_severity s)
{
	static const char *const names[] = { "low", "medium", "high" };

	return (unsigned)s < GW_VET_SEVERITY_COUNT ? names[s] : "?";
}

int gw_vet_severity_parse(const char *word, enum gw_vet_severity *out)
{
	for (int s = 0; s < GW_VET_SEVERITY_COUNT; s++) {
		if (strcmp(word, gw_vet_severity_name(s)) == 0) {
			*out = (enum gw_vet_severity)s;
			return 0;
		}
	}
	return -EINVAL;
}

const char *gw_vet_context_name(enum gw_vet_context c)
{
	static const char *const names[] = {
		[GW_VET_CTX_FILE] = "file",
		[GW_VET_CTX_FUNCTION] = "function",
		[GW_VET_CTX_CLOSE] = "close",
		[GW_VET_CTX_RENDER] = "render",
		[GW_VET_CTX_INIT] = "init",
		[GW_VET_CTX_RESET] = "reset",
		[GW_VET_CTX_STEP] = "step",
		[GW_VET_CTX_IMPORT] = "import",
		[GW_VET_CTX_INSTALL] = "install",
	};

	return (unsigned)c < GW_VET_CTX_COUNT ? names[c] : "?";
}

/*
 * GitHub reads security-severity as a number in a string: 7.0 and above
 * is "high", 4.0 to 6.9 "medium", below that "low".
 */
const char *gw_vet_security_severity(enum gw_vet_severity s)
{
	static const char *const scores[] = { "3.0", "5.5", "8.0" };

	return (unsigned)s < GW_VET_SEVERITY_COUNT ? scores[s] : "0.0";
}
