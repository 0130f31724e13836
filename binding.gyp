{
  # The CPU addon. Sources are globbed so that each part of the engine
  # (engine/, compress/, binding/) adds files without editing this list.
  "targets": [
    {
      "target_name": "gradmesh_native",
      "sources": [
        "<!@(node -e \"const fs=require('fs');const dirs=['src/native/binding','src/native/engine','src/native/compress','src/native/parallel'];console.log(dirs.flatMap(d=>fs.existsSync(d)?fs.readdirSync(d).filter(f=>f.endsWith('.cc')).sort().map(f=>d+'/'+f):[]).join(' '))\")"
      ],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include\")",
        "src/native"
      ],
      # C++ exceptions on, and node-addon-api catches every exception that escapes a
      # callback (_ALL: std::exception and anything else, not only Napi::Error), so
      # none can reach std::terminate; binding/boundary.h names the call on top.
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-ffp-contract=off", "-fno-fast-math", "-fexceptions"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-lopenblas"]
    }
  ]
}
