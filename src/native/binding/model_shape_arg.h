// The model shape argument of the CPU engines' constructors (NativeEngine, ShardedEngine):
// a Hugging Face style config object, every field range-checked and named on error.
#pragma once

#include <napi.h>

#include <string>

#include "binding/boundary.h"
#include "engine/engine.h"

namespace gm::boundary {

inline gm::ModelShape modelShapeArg(const Napi::Value& arg, const char* call) {
  using gm::Limits;
  if (!arg.IsObject()) fail(arg.Env(), false, call, "config", "an object", arg);
  Napi::Object c = arg.As<Napi::Object>();
  auto field = [&](const char* name, int64_t hi) { return integer(c.Get(name), call, std::string("config.") + name, 1, hi); };
  gm::ModelShape s;
  s.vocab = field("vocab_size", Limits::vocab);
  s.dim = field("hidden_size", Limits::dim);
  s.ffn = field("intermediate_size", Limits::ffn);
  s.layers = field("num_hidden_layers", Limits::layers);
  s.heads = field("num_attention_heads", Limits::heads);
  s.kvHeads = field("num_key_value_heads", Limits::heads);
  s.normEps = positive(c.Get("rms_norm_eps"), call, "config.rms_norm_eps");
  s.ropeTheta = positive(c.Get("rope_theta"), call, "config.rope_theta");
  s.tied = c.Get("tie_word_embeddings").ToBoolean().Value();
  return s;
}

}  // namespace gm::boundary
