#!/usr/bin/env python3
"""Export an X-CLIP checkpoint into the graph contract of @accel/skill-xclip.

No public ONNX export of X-CLIP exists, so this script makes one: from `microsoft/xclip-base-patch32`
(or any X-CLIP checkpoint, a hub id or a local folder) it writes

    <output>/onnx/text_model.onnx     input_ids, attention_mask        -> text_embeds
    <output>/onnx/vision_model.onnx   pixel_values [B, T, 3, S, S]      -> video_embeds, visual_tokens
    <output>/onnx/prompt_model.onnx   text_embeds, video_embeds,
                                      visual_tokens                     -> logits_per_video, logits_per_text
    <output>/onnx/*_quantized.onnx    with --quantize (the skill's `q8` dtype)
    <output>/config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json (+ the
    other tokenizer files transformers writes), export_report.json

with the input and output names, types and dynamic axes of contract.json (next to this script), which
packages/skill-xclip/test/export-recipe.test.ts checks against the skill. Each graph is a small
torch.nn.Module around the submodules of transformers' XCLIPModel whose forward returns exactly the
contract's outputs, computed as XCLIPModel.get_text_features / get_video_features / forward compute
them. After exporting, the script runs the ONNX files with onnxruntime on a fresh sample (other batch
sizes and sequence length than the export's) and compares them with XCLIPModel in PyTorch; it exits 1
if the fp32 files disagree.

NOT run in this repository's CI or tests: the machines that build accel have no Python ML stack and
cannot reach the hub. Pinned versions are in requirements.txt; see README.md for the commands.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

DEFAULT_MODEL = "microsoft/xclip-base-patch32"
CONTRACT_PATH = Path(__file__).with_name("contract.json")
MIN_OPSET = 14
# Tolerances of the fp32 check: |onnx - torch| <= ATOL + RTOL * max|torch|, per output.
ATOL = 1e-4
RTOL = 1e-3


def load_contract() -> dict:
    with CONTRACT_PATH.open(encoding="utf-8") as file:
        return json.load(file)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Export an X-CLIP checkpoint into @accel/skill-xclip's graph contract (text_model, vision_model, prompt_model).",
    )
    parser.add_argument("model", nargs="?", default=DEFAULT_MODEL, help=f"hub id or local folder of an X-CLIP checkpoint (default: {DEFAULT_MODEL})")
    parser.add_argument("-o", "--output", type=Path, default=None, help="output folder (default: ./out/<model folder name>)")
    parser.add_argument("--revision", default=None, help="hub revision (branch, tag or commit) of the checkpoint")
    parser.add_argument("--opset", type=int, default=17, help=f"ONNX opset (default 17, at least {MIN_OPSET})")
    parser.add_argument("--quantize", action="store_true", help="also write onnx/<graph>_quantized.onnx (int8 dynamic quantization, the skill's q8 dtype)")
    parser.add_argument("--skip-check", action="store_true", help="do not compare the ONNX files with PyTorch after exporting")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic sample videos used to trace and to check")
    args = parser.parse_args(argv)
    if args.opset < MIN_OPSET:
        parser.error(f"--opset must be at least {MIN_OPSET}")
    if args.output is None:
        args.output = Path("out") / Path(args.model.rstrip("/")).name
    return args


def fixed_dims(config) -> dict:
    """The values of the contract's {"fixed": …} dims for this checkpoint."""
    vision = config.vision_config
    return {
        "projection_dim": config.projection_dim,
        "vision_config.num_frames": vision.num_frames,
        "vision_config.image_size": vision.image_size,
        "patches": (vision.image_size // vision.patch_size) ** 2,
    }


def resolve_dim(dim, values: dict):
    """A contract dim → a str (dynamic axis name) or an int (fixed size)."""
    if isinstance(dim, str):
        return dim
    fixed = dim["fixed"]
    return fixed if isinstance(fixed, int) else int(values[fixed])


def build_wrappers(torch, model, num_frames: int):
    """The three graphs as torch modules over XCLIPModel's own submodules (no weights are copied)."""
    nn = torch.nn

    class TextModel(nn.Module):
        """XCLIPModel.get_text_features: the end-of-text state (argmax of input_ids) through text_projection."""

        def __init__(self):
            super().__init__()
            self.text_model = model.text_model
            self.text_projection = model.text_projection

        def forward(self, input_ids, attention_mask):
            pooled = self.text_model(input_ids=input_ids, attention_mask=attention_mask, return_dict=False)[1]
            return self.text_projection(pooled)

    class VisionModel(nn.Module):
        """XCLIPModel.get_video_features, plus the prompt generator's visual tokens as XCLIPModel.forward makes them."""

        def __init__(self):
            super().__init__()
            self.vision_model = model.vision_model
            self.visual_projection = model.visual_projection
            self.mit = model.mit
            self.prompts_visual_layernorm = model.prompts_visual_layernorm
            self.prompts_visual_projection = model.prompts_visual_projection
            self.num_frames = num_frames

        def forward(self, pixel_values):
            frames = pixel_values.flatten(0, 1)  # [B·T, 3, S, S]: every frame through the cross-frame ViT
            last_hidden_state, pooled = self.vision_model(pixel_values=frames, return_dict=False)[:2]
            class_features = self.visual_projection(pooled)
            class_features = class_features.reshape(-1, self.num_frames, class_features.shape[-1])
            video_embeds = self.mit(class_features, return_dict=False)[1]  # MIT, then the mean over frames
            tokens = self.prompts_visual_layernorm(last_hidden_state[:, 1:, :]) @ self.prompts_visual_projection
            tokens = tokens.reshape(-1, self.num_frames, tokens.shape[1], tokens.shape[2]).mean(dim=1)
            return video_embeds, tokens

    class PromptModel(nn.Module):
        """The rest of XCLIPModel.forward: video-specific prompts, L2 normalisation, exp(logit_scale) × cosine."""

        def __init__(self):
            super().__init__()
            self.prompts_generator = model.prompts_generator
            self.logit_scale = model.logit_scale

        def forward(self, text_embeds, video_embeds, visual_tokens):
            texts = text_embeds.unsqueeze(0).expand(video_embeds.shape[0], -1, -1)  # [videos, texts, P]
            texts = texts + self.prompts_generator(texts, visual_tokens)
            texts = texts / texts.norm(p=2, dim=-1, keepdim=True)
            videos = video_embeds / video_embeds.norm(p=2, dim=-1, keepdim=True)
            # XCLIPModel.forward's einsum("bd,bkd->bk") as a batched MatMul, which every onnxruntime EP runs.
            logits_per_video = torch.matmul(texts, videos.unsqueeze(-1)).squeeze(-1) * self.logit_scale.exp()
            return logits_per_video, logits_per_video.transpose(0, 1)

    return {"text_model": TextModel().eval(), "vision_model": VisionModel().eval(), "prompt_model": PromptModel().eval()}


def synthetic_videos(np, count: int, frames: int, seed: int) -> list:
    """Videos of moving colour ramps (uint8 HWC frames, 4:3 so resize + centre crop both act)."""
    rng = np.random.default_rng(seed)
    height, width = 240, 320
    ys, xs = np.mgrid[0:height, 0:width]
    videos = []
    for _ in range(count):
        phase = rng.uniform(0, 2 * np.pi, size=3)
        speed = rng.uniform(0.05, 0.3)
        video = []
        for frame in range(frames):
            channels = [127.5 + 127.5 * np.sin(xs / (20 + 15 * c) + ys / (30 + 10 * c) + phase[c] + speed * frame) for c in range(3)]
            video.append(np.stack(channels, axis=-1).astype(np.uint8))
        videos.append(video)
    return videos


def prepare(processor, texts: list[str], videos: list) -> dict:
    """input_ids, attention_mask and pixel_values as XCLIPProcessor makes them (its tokenizer and its image
    processor called one by one, which works whether the processor's own call takes `videos` or `images`)."""
    image_processor = getattr(processor, "image_processor", None) or processor.feature_extractor
    tokens = processor.tokenizer(texts, padding=True, return_tensors="pt")
    pixels = image_processor(videos, return_tensors="pt")
    return {"input_ids": tokens["input_ids"], "attention_mask": tokens["attention_mask"], "pixel_values": pixels["pixel_values"]}


def check_graph_io(onnx, path: Path, spec: dict, values: dict) -> None:
    """The exported file declares exactly the contract's inputs and outputs; inputs' fixed and dynamic dims as declared."""
    graph = onnx.load(str(path), load_external_data=False).graph
    initializers = {initializer.name for initializer in graph.initializer}
    inputs = [value for value in graph.input if value.name not in initializers]
    found = ([value.name for value in inputs], [value.name for value in graph.output])
    expected = ([value["name"] for value in spec["inputs"]], [value["name"] for value in spec["outputs"]])
    if sorted(found[0]) != sorted(expected[0]) or sorted(found[1]) != sorted(expected[1]):
        raise SystemExit(f"{path}: expected inputs {expected[0]} and outputs {expected[1]}, the export has inputs {found[0]} and outputs {found[1]}")
    by_name = {value.name: value for value in inputs}
    for declared in spec["inputs"]:
        dims = by_name[declared["name"]].type.tensor_type.shape.dim
        wanted = [resolve_dim(dim, values) for dim in declared["dims"]]
        if len(dims) != len(wanted):
            raise SystemExit(f"{path}: {declared['name']} has rank {len(dims)}, the contract says {len(wanted)}")
        for axis, (dim, want) in enumerate(zip(dims, wanted)):
            if isinstance(want, int) and dim.dim_value != want:
                raise SystemExit(f"{path}: {declared['name']} dim {axis} is {dim.dim_value or dim.dim_param!r}, the contract fixes it at {want}")
            if isinstance(want, str) and not dim.dim_param:
                raise SystemExit(f"{path}: {declared['name']} dim {axis} is fixed at {dim.dim_value}, the contract makes it dynamic ({want})")


def export_graph(torch, module, args: tuple, path: Path, spec: dict, opset: int) -> None:
    import inspect

    values = spec["inputs"] + spec["outputs"]
    dynamic_axes = {value["name"]: {axis: dim for axis, dim in enumerate(value["dims"]) if isinstance(dim, str)} for value in values}
    options = dict(
        input_names=[value["name"] for value in spec["inputs"]],
        output_names=[value["name"] for value in spec["outputs"]],
        dynamic_axes=dynamic_axes,
        opset_version=opset,
        do_constant_folding=True,
        export_params=True,
    )
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False  # the TorchScript exporter, which honours dynamic_axes
    with torch.no_grad():
        torch.onnx.export(module, args, str(path), **options)


def quantize_graph(onnx, path: Path, quantized_path: Path) -> str:
    """int8 dynamic quantization as transformers.js's scripts/quantize.py does for `q8`: uint8 weights when the
    graph has a Conv (onnxruntime-web has no ConvInteger with int8 weights), int8 weights otherwise."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    op_types = {node.op_type for node in onnx.load(str(path), load_external_data=False).graph.node}
    weight_type = QuantType.QUInt8 if "Conv" in op_types else QuantType.QInt8
    quantize_dynamic(
        str(path),
        str(quantized_path),
        per_channel=False,
        reduce_range=False,
        weight_type=weight_type,
        extra_options={"EnableSubgraph": True, "MatMulConstBOnly": True},
    )
    return weight_type.name


def write_configs(processor, source: str, revision: str | None, output: Path) -> list[str]:
    """config.json verbatim from the checkpoint; the processor's files as transformers writes them, with
    preprocessor_config.json's sizes in the dict form transformers.js reads as Python does."""
    import shutil

    from transformers import CLIPTokenizerFast
    from transformers.utils import cached_file

    shutil.copyfile(cached_file(source, "config.json", revision=revision), output / "config.json")
    processor.save_pretrained(output)
    if not (output / "tokenizer.json").exists():
        # A checkpoint with only the slow tokenizer files: transformers.js needs the fast tokenizer's tokenizer.json.
        CLIPTokenizerFast.from_pretrained(source, revision=revision).save_pretrained(output)

    preprocessor_path = output / "preprocessor_config.json"
    preprocessor = json.loads(preprocessor_path.read_text(encoding="utf-8"))
    # VideoMAEImageProcessor reads an integer `size` as the shortest edge; transformers.js would read it as
    # both the shortest and the longest edge. Write the unambiguous dict forms.
    if isinstance(preprocessor.get("size"), int):
        preprocessor["size"] = {"shortest_edge": preprocessor["size"]}
    if isinstance(preprocessor.get("crop_size"), int):
        preprocessor["crop_size"] = {"height": preprocessor["crop_size"], "width": preprocessor["crop_size"]}
    preprocessor_path.write_text(json.dumps(preprocessor, indent=2) + "\n", encoding="utf-8")
    return sorted(path.name for path in output.iterdir() if path.is_file())


def max_error(np, found, reference) -> tuple[float, float]:
    """The largest |found - reference| and the tolerance it must stay under."""
    found, reference = np.asarray(found, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    if found.shape != reference.shape:
        raise SystemExit(f"shape mismatch: onnx {found.shape}, torch {reference.shape}")
    return float(np.max(np.abs(found - reference))), ATOL + RTOL * float(np.max(np.abs(reference)))


def check_against_torch(np, torch, ort, model, processor, onnx_dir: Path, num_frames: int, seed: int, suffix: str) -> dict:
    """Runs the three ONNX files on 3 videos and 4 texts (the export traced 2 and 3) and compares with XCLIPModel."""
    texts = ["playing guitar", "a person cooking dinner in a small kitchen", "dancing", "walking a dog on a beach at sunset"]
    inputs = prepare(processor, texts, synthetic_videos(np, 3, num_frames, seed + 1))
    with torch.no_grad():
        reference = {
            "text_embeds": model.get_text_features(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]).numpy(),
            "video_embeds": model.get_video_features(pixel_values=inputs["pixel_values"]).numpy(),
            "logits_per_video": model(**inputs).logits_per_video.numpy(),
        }

    def session(name: str):
        return ort.InferenceSession(str(onnx_dir / f"{name}{suffix}.onnx"), providers=["CPUExecutionProvider"])

    (text_embeds,) = session("text_model").run(
        ["text_embeds"], {"input_ids": inputs["input_ids"].numpy(), "attention_mask": inputs["attention_mask"].numpy()}
    )
    video_embeds, visual_tokens = session("vision_model").run(["video_embeds", "visual_tokens"], {"pixel_values": inputs["pixel_values"].numpy()})
    logits_per_video, logits_per_text = session("prompt_model").run(
        ["logits_per_video", "logits_per_text"], {"text_embeds": text_embeds, "video_embeds": video_embeds, "visual_tokens": visual_tokens}
    )
    if not np.array_equal(logits_per_text, logits_per_video.T):
        raise SystemExit(f"prompt_model{suffix}: logits_per_text is not the transpose of logits_per_video")
    found = {"text_embeds": text_embeds, "video_embeds": video_embeds, "logits_per_video": logits_per_video}
    report = {}
    for name, value in found.items():
        error, tolerance = max_error(np, value, reference[name])
        report[name] = {"max_abs_error": error, "tolerance": tolerance, "within": error <= tolerance}

    def softmax(logits):
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    report["top1_agrees"] = bool(np.array_equal(logits_per_video.argmax(axis=1), reference["logits_per_video"].argmax(axis=1)))
    report["max_probability_error"] = float(np.max(np.abs(softmax(logits_per_video) - softmax(reference["logits_per_video"]))))
    return report


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    contract = load_contract()

    import numpy as np
    import onnx
    import onnxruntime as ort
    import torch
    import transformers
    from transformers import XCLIPModel, XCLIPProcessor

    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    torch.manual_seed(args.seed)

    print(f"loading {args.model}" + (f" at {args.revision}" if args.revision else ""), flush=True)
    model = XCLIPModel.from_pretrained(args.model, revision=args.revision, attn_implementation="eager").eval()
    processor = XCLIPProcessor.from_pretrained(args.model, revision=args.revision)
    values = fixed_dims(model.config)
    num_frames = values["vision_config.num_frames"]

    output = args.output
    onnx_dir = output / "onnx"
    onnx_dir.mkdir(parents=True, exist_ok=True)

    # Trace on 2 videos, 3 texts: no dynamic axis is traced at size 1.
    sample = prepare(
        processor,
        ["a video of dancing", "a video of cooking", "a video of playing basketball outdoors"],
        synthetic_videos(np, 2, num_frames, args.seed),
    )
    if tuple(sample["pixel_values"].shape[1:]) != (num_frames, 3, values["vision_config.image_size"], values["vision_config.image_size"]):
        raise SystemExit(f"the processor gives pixel_values {tuple(sample['pixel_values'].shape)}, the config implies [B, {num_frames}, 3, S, S] with S = {values['vision_config.image_size']}")
    wrappers = build_wrappers(torch, model, num_frames)
    with torch.no_grad():
        text_embeds = wrappers["text_model"](sample["input_ids"], sample["attention_mask"])
        video_embeds, visual_tokens = wrappers["vision_model"](sample["pixel_values"])
    trace_inputs = {
        "text_model": (sample["input_ids"], sample["attention_mask"]),
        "vision_model": (sample["pixel_values"],),
        "prompt_model": (text_embeds, video_embeds, visual_tokens),
    }

    graphs = contract["graphs"]
    report = {
        "source": args.model,
        "revision": args.revision,
        "commit": getattr(model.config, "_commit_hash", None),
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "onnx": onnx.__version__, "onnxruntime": ort.__version__},
        "opset": args.opset,
        "fixed_dims": values,
        "files": {},
    }
    for name, spec in graphs.items():
        path = onnx_dir / f"{name}.onnx"
        print(f"exporting {path}", flush=True)
        export_graph(torch, wrappers[name], trace_inputs[name], path, spec, args.opset)
        onnx.checker.check_model(str(path))
        check_graph_io(onnx, path, spec, values)
        report["files"][f"onnx/{name}.onnx"] = {"bytes": path.stat().st_size}
        if args.quantize:
            quantized_path = onnx_dir / f"{name}{contract['quantizedSuffix']}.onnx"
            print(f"quantizing {quantized_path}", flush=True)
            weight_type = quantize_graph(onnx, path, quantized_path)
            check_graph_io(onnx, quantized_path, spec, values)
            report["files"][f"onnx/{quantized_path.name}"] = {"bytes": quantized_path.stat().st_size, "weight_type": weight_type}

    written = write_configs(processor, args.model, args.revision, output)
    missing = [name for name in contract["copiedFiles"] if name not in written]
    if missing:
        raise SystemExit(f"{output} lacks {missing} after saving the processor")
    report["copied"] = written

    failed = False
    if not args.skip_check:
        suffixes = [""] + ([contract["quantizedSuffix"]] if args.quantize else [])
        report["check"] = {}
        for suffix in suffixes:
            result = check_against_torch(np, torch, ort, model, processor, onnx_dir, num_frames, args.seed, suffix)
            report["check"][suffix or "fp32"] = result
            print(f"check {suffix or 'fp32'}: {json.dumps(result)}", flush=True)
            # Only the fp32 files must match PyTorch within tolerance; the quantized ones are reported.
            if suffix == "" and not all(result[name]["within"] for name in ("text_embeds", "video_embeds", "logits_per_video")):
                failed = True
    (output / "export_report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if failed:
        print(f"the fp32 ONNX files disagree with XCLIPModel beyond tolerance; see {output / 'export_report.json'}", file=sys.stderr)
        return 1
    print(f"done: {output}" + ("" if args.skip_check else " (fp32 outputs match XCLIPModel within tolerance)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
