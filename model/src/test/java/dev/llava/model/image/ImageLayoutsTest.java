package dev.llava.model.image;

import dev.llava.model.config.FeatureSelectStrategy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llava.model.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Token counts and AnyRes geometry against shared/fixtures/anyres_token_counts.json and by hand. */
class ImageLayoutsTest {

  @Test
  void reproducesAllAnyResTokenCountFixtures() throws IOException {
    JsonNode cases = new ObjectMapper().readTree(Fixtures.root().resolve("anyres_token_counts.json").toFile())
        .get("cases");
    assertEquals(20, cases.size());
    for (JsonNode c : cases) {
      int h = c.get("height").asInt();
      int w = c.get("width").asInt();
      List<Resolution> pinpoints = new ArrayList<>();
      c.get("image_grid_pinpoints").forEach(p -> pinpoints.add(new Resolution(p.get(0).asInt(), p.get(1).asInt())));
      ImageLayout layout = ImageLayouts.anyRes(h, w, c.get("image_size").asInt(), c.get("patch_size").asInt(),
          pinpoints, FeatureSelectStrategy.DEFAULT);
      String label = h + "x" + w + " " + pinpoints;
      assertEquals(c.get("best_resolution_hw").get(0).asInt(), layout.bestHeight(), label);
      assertEquals(c.get("best_resolution_hw").get(1).asInt(), layout.bestWidth(), label);
      assertEquals(c.get("grid_rows_cols").get(0).asInt(), layout.gridRows(), label);
      assertEquals(c.get("grid_rows_cols").get(1).asInt(), layout.gridCols(), label);
      assertEquals(c.get("num_patches_incl_base").asInt(), layout.numTiles(), label);
      assertEquals(c.get("unpadded_grid_hw").get(0).asInt(), layout.unpaddedRows(), label);
      assertEquals(c.get("unpadded_grid_hw").get(1).asInt(), layout.unpaddedCols(), label);
      assertEquals(c.get("num_image_tokens").asInt(), layout.imageTokens(), label);
      // the kept window is centred in the feature grid
      int gridH = layout.gridRows() * layout.patchesPerSide();
      int gridW = layout.gridCols() * layout.patchesPerSide();
      assertEquals(gridH - layout.unpaddedRows(), 2 * layout.rowOffset(), label);
      assertEquals(gridW - layout.unpaddedCols(), 2 * layout.colOffset(), label);
    }
  }

  @Test
  void llava15HasOneTileOf576TokensOr577WithCls() {
    ImageLayout layout = ImageLayouts.llava(301, 517, 336, 14, FeatureSelectStrategy.DEFAULT);
    assertEquals(new ImageLayout(301, 517, 336, 336, 0, 0, 336, 24, 0, 0, 0, 0, 576), layout);
    assertEquals(1, layout.numTiles());
    assertEquals(577, ImageLayouts.llava(301, 517, 336, 14, FeatureSelectStrategy.FULL).imageTokens());
  }

  @Test
  void singleTileGridUsesTheSameUnpadFormula() {
    // pinpoints [[336, 336]]: grid 1x1, feature grid 24x24; w/h = 2 > 1 -> new_h = 300*24/600 = 12,
    // pad (24-12)/2 = 6 -> 12 rows kept: 576 + 12*24 + 12 = 876 tokens, 2 tiles (base + 1).
    ImageLayout layout = ImageLayouts.anyRes(300, 600, 336, 14, List.of(new Resolution(336, 336)),
        FeatureSelectStrategy.DEFAULT);
    assertEquals(new ImageLayout(300, 600, 336, 336, 1, 1, 336, 24, 12, 24, 6, 0, 876), layout);
    assertEquals(2, layout.numTiles());
  }

  @Test
  void unpadUsesExactFloorWhereOldTransformersTruncatedBelow() {
    // 47 * 48 / 752 = 3 exactly: floor and current transformers' int(round(., 7)) give 3, pad (24 - 3) // 2
    // = 10 -> 4 rows; transformers 4.45/4.46's int(47 * (48 / 752)) = int(2.9999999999999996) = 2 would
    // give pad 11 -> 2 rows.
    int[] region = AnyResGeometry.unpaddedRegion(47, 752, 24, 48);
    assertEquals(List.of(10, 4, 0, 48), List.of(region[0], region[1], region[2], region[3]));
    // tall image: columns are cut instead, 300 * 24 / 1000 = 7.2 -> 7, pad (24 - 7) / 2 = 8 -> 8 cols
    region = AnyResGeometry.unpaddedRegion(1000, 300, 24, 24);
    assertEquals(List.of(0, 24, 8, 8), List.of(region[0], region[1], region[2], region[3]));
  }

  @Test
  void configDecidesBetweenLlavaAndAnyRes() {
    ImageLayout next = ImageLayouts.of(699, 1001, ImageProcessorConfig.llavaNext(336,
        ImageProcessorConfig.DEFAULT_PINPOINTS), 14, FeatureSelectStrategy.DEFAULT);
    assertEquals(2242, next.imageTokens());
    ImageLayout llava = ImageLayouts.of(699, 1001, ImageProcessorConfig.llava15(336), 14,
        FeatureSelectStrategy.DEFAULT);
    assertEquals(576, llava.imageTokens());
  }

  @Test
  void rejectsInconsistentGeometryNamingBothNumbers() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageLayouts.llava(10, 10, 336, 15, FeatureSelectStrategy.DEFAULT));
    assertTrue(e.getMessage().contains("336") && e.getMessage().contains("15"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ImageLayouts.anyRes(10, 10, 336, 14,
        List.of(new Resolution(336, 500)), FeatureSelectStrategy.DEFAULT));
    assertTrue(e.getMessage().contains("[336, 500]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ImageLayouts.llava(0, 10, 336, 14, FeatureSelectStrategy.DEFAULT));
    assertTrue(e.getMessage().contains("0x10"), e.getMessage());
  }

  @Test
  void bestResolutionPrefersLessWasteAndThenTheFirst() {
    List<Resolution> pins = ImageProcessorConfig.DEFAULT_PINPOINTS;
    // 336x336: [336,672] and [672,336] keep all pixels with equal waste -> the first one wins;
    // [672,672] keeps the same pixels but wastes more.
    assertEquals(new Resolution(336, 672), BestResolutionSelector.select(336, 336, pins));
    assertEquals(new Resolution(672, 336), BestResolutionSelector.select(336, 336,
        List.of(new Resolution(672, 672), new Resolution(672, 336), new Resolution(336, 672))));
    // 100x2000 (very wide): [336,1008] scales by 0.504 -> 50x1008 kept, the most of all
    assertEquals(new Resolution(336, 1008), BestResolutionSelector.select(100, 2000, pins));
  }
}
